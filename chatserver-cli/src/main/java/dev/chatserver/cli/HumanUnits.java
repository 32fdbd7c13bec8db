package dev.chatserver.cli;

import java.util.Locale;

/**
 * Formats counts for people: {@code 950}, {@code 260.1 K}, {@code 1.54 B}. Byte sizes are
 * {@link dev.chatserver.models.ByteSizes}' (decimal, as model hubs list them). Stateless.
 */
final class HumanUnits {

    private static final String[] COUNT_UNITS = {"", " K", " M", " B", " T"};

    private HumanUnits() {
    }

    /** @return e.g. {@code 950}, {@code 260.1 K}, {@code 1.54 B} (powers of 1000) */
    static String count(long value) {
        if (value < 1000) {
            return Long.toString(value);
        }
        double scaled = value;
        int unit = 0;
        while (scaled >= 1000 && unit < COUNT_UNITS.length - 1) {
            scaled /= 1000;
            unit++;
        }
        // Three significant digits: 1.54, 19.5, 195.
        String format = scaled >= 100 ? "%.0f" : scaled >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, format, scaled) + COUNT_UNITS[unit];
    }
}
