package dev.chatserver.openai;

import java.util.List;

/**
 * Applies a request's stop strings to the answer's text as it streams: text that may be the start of a stop string
 * is held back until it is known not to be; at the first stop string the text ends just before it. Pieces come as
 * whole characters, and a stop string is a whole string, so a cut never splits a character. Used by one reply's
 * delivery thread.
 */
final class StopScanner {

    private final List<String> stops;
    private final int longest;
    /** Text received but not yet released: at most the longest stop string minus one character, or a match. */
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    /** @param stops the stop strings, none empty */
    StopScanner(List<String> stops) {
        this.stops = List.copyOf(stops);
        this.longest = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** @return true once a stop string was found; later pieces are dropped */
    boolean stopped() {
        return stopped;
    }

    /**
     * @param piece the next text of the answer
     * @return the text that may be sent now (possibly empty)
     */
    String feed(String piece) {
        if (stopped) return "";
        if (longest == 0) return piece;
        held.append(piece);
        int first = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0) {
            stopped = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        // Release all but the longest tail that is a proper prefix of some stop string.
        int keep = 0;
        String text = held.toString();
        for (String stop : stops) {
            for (int n = Math.min(stop.length() - 1, text.length()); n > keep; n--) {
                if (text.regionMatches(text.length() - n, stop, 0, n)) {
                    keep = n;
                    break;
                }
            }
        }
        // Never hold back half of a surrogate pair: keep the whole character.
        int cut = held.length() - keep;
        if (cut > 0 && cut < held.length() && Character.isLowSurrogate(held.charAt(cut))) cut--;
        String out = held.substring(0, cut);
        held.delete(0, cut);
        return out;
    }

    /** @return what is still held back when the answer ended without a stop string */
    String finish() {
        if (stopped) return "";
        String out = held.toString();
        held.setLength(0);
        return out;
    }
}
