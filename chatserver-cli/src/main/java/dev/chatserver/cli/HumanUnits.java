package dev.chatserver.cli;

import java.util.Locale;

/** Formats counts and byte sizes for people: {@code 1.54 B}, {@code 1.9 GiB}. Stateless. */
final class HumanUnits {

    private static final String[] COUNT_UNITS = {"", " K", " M", " B", " T"};
    private static final String[] BYTE_UNITS = {" bytes", " KiB", " MiB", " GiB", " TiB"};

    private HumanUnits() {
    }

    /** @return e.g. {@code 950}, {@code 260.1 K}, {@code 1.54 B} (powers of 1000) */
    static String count(long value) {
        return scaled(value, 1000, COUNT_UNITS);
    }

    /** @return e.g. {@code 512 bytes}, {@code 198.7 KiB}, {@code 1.88 GiB} (powers of 1024) */
    static String bytes(long value) {
        return scaled(value, 1024, BYTE_UNITS);
    }

    private static String scaled(long value, int base, String[] units) {
        if (value < base) {
            return value + units[0];
        }
        double scaled = value;
        int unit = 0;
        while (scaled >= base && unit < units.length - 1) {
            scaled /= base;
            unit++;
        }
        // Three significant digits: 1.54, 19.5, 195.
        String format = scaled >= 100 ? "%.0f" : scaled >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, format, scaled) + units[unit];
    }
}
