package dev.chatserver.engine;

import java.util.Arrays;

/** A growable list of token ids without boxing. Not thread-safe: owned by the engine thread. */
final class TokenList {

    private int[] tokens;
    private int size;

    TokenList() {
        this.tokens = new int[64];
    }

    int size() {
        return size;
    }

    /** @return the token at {@code index}, which must be below {@link #size()} */
    int get(int index) {
        if (index >= size) throw new IndexOutOfBoundsException(index);
        return tokens[index];
    }

    void add(int token) {
        if (size == tokens.length) tokens = Arrays.copyOf(tokens, size * 2);
        tokens[size++] = token;
    }

    /** @param newSize keep only the first {@code newSize} tokens */
    void truncate(int newSize) {
        if (newSize < 0 || newSize > size) throw new IndexOutOfBoundsException(newSize);
        size = newSize;
    }

    void clear() {
        size = 0;
    }

    int[] toArray() {
        return Arrays.copyOf(tokens, size);
    }

    /** @return how many leading tokens this list shares with {@code other} */
    int commonPrefix(int[] other) {
        int n = Math.min(size, other.length);
        int i = 0;
        while (i < n && tokens[i] == other[i]) i++;
        return i;
    }
}
