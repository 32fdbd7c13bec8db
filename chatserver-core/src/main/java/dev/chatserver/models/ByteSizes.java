package dev.chatserver.models;

import java.util.Locale;

/** Formats byte counts for people, in decimal units as model hubs list them (1 GB = 10^9 bytes). Stateless. */
public final class ByteSizes {

    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

    private ByteSizes() {
    }

    /**
     * @param bytes a byte count, not negative
     * @return e.g. {@code "512 B"}, {@code "1.9 GB"}, {@code "680 MB"}
     */
    public static String format(long bytes) {
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < UNITS.length - 1) {
            value /= 1000;
            unit++;
        }
        if (unit == 0) return bytes + " B";
        String pattern = value >= 100 ? "%.0f %s" : "%.1f %s";
        return String.format(Locale.ROOT, pattern, value, UNITS[unit]);
    }
}
