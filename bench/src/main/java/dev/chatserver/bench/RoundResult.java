package dev.chatserver.bench;

/**
 * What one round produced: {@code replies} concurrent replies started together.
 *
 * @param replies          replies completed
 * @param tokens           tokens generated over all replies
 * @param pieces           text pieces delivered over all replies (a piece holds one token or more)
 * @param ttftNanosSum     sum over replies of the time from the round's start to the reply's first text, ns
 * @param elapsedNanos     time from the round's start until the last reply completed, ns
 * @param promptTokens     prompt tokens over all replies as the implementation reports them decoded (see
 *                         {@link Generator#promptTokens(String)} for where each gets the number)
 */
record RoundResult(int replies, long tokens, long pieces, long ttftNanosSum, long elapsedNanos, long promptTokens) {
}
