package dev.chatserver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class PullProgressPrinterTest {

    private final StringWriter text = new StringWriter();
    private final PrintWriter out = new PrintWriter(text);

    @Test
    void onATerminalRedrawsOneLineWithBarPercentBytesSpeedAndEta() {
        PullProgressPrinter printer = new PullProgressPrinter(out, true);

        printer.update(0, 2_000_000_000L, 0);
        printer.update(500_000_000L, 2_000_000_000L, 10_000_000);
        printer.update(2_000_000_000L, 2_000_000_000L, 10_000_000);
        printer.endLine();

        assertThat(text.toString()).isEqualTo(
                "\r[------------------------]   0%  0 B of 2.0 GB"
                        + "\r[######------------------]  25%  500 MB of 2.0 GB  10.0 MB/s  ETA 2m 30s"
                        + "\r[########################] 100%  2.0 GB of 2.0 GB  10.0 MB/s" + " ".repeat(12)
                        + System.lineSeparator());
    }

    @Test
    void withoutATerminalPrintsAPlainLineAtEachTenthAndAtTheEnd() {
        PullProgressPrinter printer = new PullProgressPrinter(out, false);

        for (long done = 0; done <= 1000; done += 25) {
            printer.update(done, 1000, 100);
        }
        printer.endLine();

        assertThat(text.toString().lines()).hasSize(11)
                .startsWith("    0%  0 B of 1.0 kB  100 B/s  ETA 10s")
                .contains("   50%  500 B of 1.0 kB  100 B/s  ETA 5s")
                .endsWith("  100%  1.0 kB of 1.0 kB  100 B/s");
        assertThat(text.toString()).doesNotContain("\r");
    }

    @Test
    void anUnknownTotalShowsBytesAndSpeedOnly() {
        assertThat(PullProgressPrinter.describe(12_300_000, -1, 2_000_000)).isEqualTo("12.3 MB  2.0 MB/s");
        assertThat(PullProgressPrinter.duration(3725)).isEqualTo("1h 02m");
    }
}
