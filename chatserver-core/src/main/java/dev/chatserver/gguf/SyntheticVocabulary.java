package dev.chatserver.gguf;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;

/**
 * The SentencePiece-style vocabulary of a {@link SyntheticModel}, in id order:
 * {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens {@code <0x00>}..{@code <0xFF>},
 * {@code <|im_start|>}, {@code <|im_end|>}, then printable pieces: single characters (ASCII letters, digits,
 * punctuation, {@code ▁} and a few multi-byte characters), whole words with every prefix (so that the
 * tokenizer's pairwise merges can reach them), then made-up syllable words until the size is reached.
 * Printable pieces score higher the earlier they come, so common words win merges.
 *
 * <p>Immutable; built on the caller's thread.
 *
 * @param tokens pieces by id
 * @param scores merge scores by id
 * @param types  token types by id (llama.cpp's {@code llama_token_type})
 */
record SyntheticVocabulary(List<String> tokens, float[] scores, int[] types) {
    static final int UNKNOWN = 0;
    static final int BOS = 1;
    static final int EOS = 2;
    static final int FIRST_BYTE = 3;
    static final int IM_START = 259;
    static final int IM_END = 260;
    /** First printable piece. */
    static final int FIRST_PIECE = 261;

    /** llama.cpp token types. */
    static final int TYPE_NORMAL = 1;
    static final int TYPE_UNKNOWN = 2;
    static final int TYPE_CONTROL = 3;
    static final int TYPE_BYTE = 6;

    /** SentencePiece's word-start marker, which stands for a space. */
    static final String SPACE = "\u2581";

    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final List<String> MULTI_BYTE = List.of("é", "è", "ü", "ö", "ñ", "ß", "你", "好", "世", "界", "🙂");
    private static final List<String> WORDS = List.of(
            "the", "and", "to", "of", "a", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are", "with",
            "as", "I", "his", "they", "be", "at", "one", "have", "this", "from", "or", "had", "by", "hot", "word",
            "but", "what", "some", "we", "can", "out", "other", "were", "all", "there", "when", "up", "use", "your",
            "how", "said", "an", "each", "she", "which", "do", "their", "time", "if", "will", "way", "about", "many",
            "then", "them", "write", "would", "like", "so", "these", "her", "long", "make", "thing", "see", "him",
            "two", "has", "look", "more", "day", "could", "go", "come", "did", "number", "sound", "no", "most",
            "people", "my", "over", "know", "water", "than", "call", "first", "who", "may", "down", "side", "been",
            "now", "find", "hello", "world", "chat", "server", "model", "token", "Hello", "The", "Once", "upon",
            "little", "girl", "named", "Lily", "café", "über", "你好", "世界");
    private static final String CONSONANTS = "bdfgklmnprstvz";
    private static final String VOWELS = "aeiou";

    /** The vocabulary of {@code size} tokens. @throws IllegalArgumentException if size is below {@link #minimumSize()} */
    static SyntheticVocabulary of(int size) {
        if (size < minimumSize()) {
            throw new IllegalArgumentException("vocabulary of " + size + " tokens is smaller than the minimum "
                    + minimumSize());
        }
        List<String> tokens = new ArrayList<>(size);
        tokens.add("<unk>");
        tokens.add("<s>");
        tokens.add("</s>");
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
        }
        tokens.add("<|im_start|>");
        tokens.add("<|im_end|>");
        SequencedSet<String> pieces = printablePieces(size - FIRST_PIECE);
        tokens.addAll(pieces);

        float[] scores = new float[size];
        int[] types = new int[size];
        for (int id = 0; id < size; id++) {
            if (id >= FIRST_PIECE) {
                types[id] = TYPE_NORMAL;
                scores[id] = -(id - FIRST_PIECE);
            } else if (id == UNKNOWN) {
                types[id] = TYPE_UNKNOWN;
            } else if (id >= FIRST_BYTE && id < IM_START) {
                types[id] = TYPE_BYTE;
            } else {
                types[id] = TYPE_CONTROL;
            }
        }
        return new SyntheticVocabulary(List.copyOf(tokens), scores, types);
    }

    /** Fewest tokens a synthetic vocabulary can have: specials, bytes and all single characters. */
    static int minimumSize() {
        return FIRST_PIECE + singleCharacters().size();
    }

    private static List<String> singleCharacters() {
        List<String> characters = new ArrayList<>();
        characters.add(SPACE);
        for (char c = 'a'; c <= 'z'; c++) {
            characters.add(String.valueOf(c));
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            characters.add(String.valueOf(c));
        }
        for (char c = '0'; c <= '9'; c++) {
            characters.add(String.valueOf(c));
        }
        PUNCTUATION.chars().forEach(c -> characters.add(String.valueOf((char) c)));
        characters.addAll(MULTI_BYTE);
        return characters;
    }

    /** Exactly {@code count} distinct printable pieces in priority order. */
    private static SequencedSet<String> printablePieces(int count) {
        SequencedSet<String> pieces = new LinkedHashSet<>(singleCharacters());
        for (String word : WORDS) {
            addWithPrefixes(pieces, SPACE + word, count);
        }
        for (int c = 0; c < CONSONANTS.length() && pieces.size() < count; c++) {
            pieces.add(SPACE + CONSONANTS.charAt(c));
        }
        // Made-up words of two, three, ... syllables, each reachable through its prefixes.
        int syllables = CONSONANTS.length() * VOWELS.length();
        for (long n = 0; pieces.size() < count; n++) {
            StringBuilder word = new StringBuilder(SPACE);
            long rest = n;
            do {
                int syllable = (int) (rest % syllables);
                word.append(CONSONANTS.charAt(syllable / VOWELS.length())).append(VOWELS.charAt(syllable % VOWELS.length()));
                rest /= syllables;
            } while (rest > 0);
            addWithPrefixes(pieces, word.toString(), count);
        }
        return pieces;
    }

    private static void addWithPrefixes(SequencedSet<String> pieces, String word, int count) {
        for (int end = 2; end <= word.length() && pieces.size() < count; end++) {
            if (Character.isHighSurrogate(word.charAt(end - 1))) {
                continue;
            }
            pieces.add(word.substring(0, end));
        }
    }
}
