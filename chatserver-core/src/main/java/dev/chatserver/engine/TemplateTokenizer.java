package dev.chatserver.engine;

import dev.chatserver.llama.ChatMessage;
import dev.chatserver.llama.LlamaModel;
import dev.chatserver.llama.Vocab;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Formats a conversation with the chat template and tokenizes it so that only the template's own text can become
 * control tokens: a message's content ({@code <|im_start|>}, {@code </s>} typed by a user, or written by the model)
 * is always read as plain characters. Runs on the engine thread.
 *
 * <p>How: the conversation is formatted once with each content replaced by a marker nobody can guess (random per
 * engine), the result is cut at the markers into template pieces, and the control tokens are found in the template
 * pieces only (tokenized with special-token parsing; a token is a control token when it spells text only when asked
 * to write control tokens out). The plain text between two control tokens — template text and contents alike — is
 * then tokenized in one call without special-token parsing. llama.cpp itself tokenizes the plain text between
 * control tokens fragment by fragment in the same way, so a conversation without control-token text in its
 * contents gets exactly the tokens it got from tokenizing the whole formatted text with special-token parsing.
 *
 * <p>Templates that trim contents (several of llama.cpp's built-in ones do) are matched by comparing the pieces joined
 * with the contents, as they are or stripped, against the template's own output.
 */
final class TemplateTokenizer {

    /** The formatted conversation: the text the tokens spell, and the tokens, each from a character offset on. */
    record Formatted(String text, List<Segment> segments) {

        /**
         * @param fromChar a character offset of {@link #text()} that starts a segment or lies inside a plain one
         * @return the tokens of the text from that offset on (no beginning-of-sequence token), or null when the offset
         *         falls inside a control token's text
         */
        int[] tokensFrom(int fromChar, Vocab vocab) {
            List<int[]> parts = new ArrayList<>();
            for (Segment segment : segments) {
                int end = segment.start + segment.text.length();
                if (end <= fromChar) continue;
                if (segment.start >= fromChar) {
                    parts.add(segment.tokens(vocab));
                } else if (segment.control < 0) {
                    parts.add(vocab.tokenize(segment.text.substring(fromChar - segment.start), false, false));
                } else {
                    return null;
                }
            }
            return concat(parts);
        }
    }

    /**
     * A control token of the template, or a run of plain text.
     *
     * @param start   character offset in the formatted text
     * @param text    the characters
     * @param control the control token, or -1 for plain text
     */
    record Segment(int start, String text, int control) {
        int[] tokens(Vocab vocab) {
            return control >= 0 ? new int[] {control} : vocab.tokenize(text, false, false);
        }
    }

    private final LlamaModel model;
    private final Vocab vocab;
    /**
     * Marker text around a message's index: private-use characters and 64 random bits; drawn at the first use
     * ({@link #markerOpen()}), as the first use of {@link SecureRandom} costs a start tens of milliseconds.
     */
    private String markerOpen;
    private final String markerClose = "\uE001";

    TemplateTokenizer(LlamaModel model) {
        this.model = model;
        this.vocab = model.vocab();
    }

    private String markerOpen() {
        if (markerOpen == null) {
            byte[] random = new byte[8];
            new SecureRandom().nextBytes(random);
            markerOpen = "\uE000" + HexFormat.of().formatHex(random) + ":";
        }
        return markerOpen;
    }

    /**
     * @param messages the conversation
     * @return its formatting with the assistant's header at the end, cut into segments
     */
    Formatted format(List<ChatMessage> messages) {
        List<ChatMessage> marked = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            marked.add(new ChatMessage(messages.get(i).role(), markerOpen() + i + markerClose));
        }
        List<String> pieces = split(model.formatChat(marked, true), messages.size());
        if (pieces == null) {
            // Only a template that repeats, drops or reorders messages does this (contents cannot: they are not in
            // the text cut here); its message is refused rather than tokenized with a user's text read as control.
            throw new IllegalStateException("the chat template does not place each message once, in order");
        }
        String real = model.formatChat(messages, true);
        List<String> contents = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) contents.add(m.content());
        if (!joined(pieces, contents).equals(real)) {
            List<String> stripped = contents.stream().map(String::strip).toList();
            // Either the template trims (stripped contents then give its output) or it changes contents in some
            // other way; then the stripped contents are the nearest safe reading.
            contents = stripped;
        }
        return segments(pieces, contents);
    }

    /** @return the template's text before, between and after the markers (count + 1 pieces), or null */
    private List<String> split(String text, int count) {
        List<String> pieces = new ArrayList<>(count + 1);
        int from = 0;
        for (int i = 0; i < count; i++) {
            String marker = markerOpen() + i + markerClose;
            int at = text.indexOf(marker, from);
            if (at < 0 || text.indexOf(marker, at + marker.length()) >= 0) return null;
            pieces.add(text.substring(from, at));
            from = at + marker.length();
        }
        String rest = text.substring(from);
        if (rest.contains(markerOpen())) return null;
        pieces.add(rest);
        return pieces;
    }

    private static String joined(List<String> pieces, List<String> contents) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < contents.size(); i++) text.append(pieces.get(i)).append(contents.get(i));
        return text.append(pieces.getLast()).toString();
    }

    /** Finds the control tokens of the template pieces and joins the plain text around them into runs. */
    private Formatted segments(List<String> pieces, List<String> contents) {
        List<Segment> segments = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        StringBuilder plain = new StringBuilder();
        int plainStart = 0;
        for (int i = 0; i < pieces.size(); i++) {
            String piece = pieces.get(i);
            int from = 0;
            for (int token : vocab.tokenize(piece, false, true)) {
                if (!isControl(token)) continue;
                String spelled = new String(vocab.piece(token, true), StandardCharsets.UTF_8);
                int at = piece.indexOf(spelled, from);
                if (at < 0) continue; // not spelled as such in the text: leave it to the plain run
                plain.append(piece, from, at);
                if (!plain.isEmpty()) segments.add(new Segment(plainStart, plain.toString(), -1));
                text.append(plain);
                plain.setLength(0);
                segments.add(new Segment(text.length(), spelled, token));
                text.append(spelled);
                plainStart = text.length();
                from = at + spelled.length();
            }
            plain.append(piece, from, piece.length());
            if (i < contents.size()) plain.append(contents.get(i));
        }
        if (!plain.isEmpty()) segments.add(new Segment(plainStart, plain.toString(), -1));
        text.append(plain);
        return new Formatted(text.toString(), List.copyOf(segments));
    }

    /** @return whether the token is a control token: it spells text only when control tokens are written out */
    private boolean isControl(int token) {
        return vocab.piece(token, false).length == 0 && vocab.piece(token, true).length > 0;
    }

    /**
     * @param formatted a formatted conversation
     * @return all its tokens, after the beginning-of-sequence token if the model wants one
     */
    int[] tokens(Formatted formatted) {
        List<int[]> parts = new ArrayList<>();
        parts.add(vocab.tokenize("", true, false));
        parts.add(formatted.tokensFrom(0, vocab));
        return concat(parts);
    }

    private static int[] concat(List<int[]> parts) {
        int length = 0;
        for (int[] part : parts) length += part.length;
        int[] all = new int[length];
        int at = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
