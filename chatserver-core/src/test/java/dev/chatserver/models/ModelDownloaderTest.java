package dev.chatserver.models;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelDownloaderTest {

    /** A synthetic GGUF model of about 2 MB: big enough to be cut, resumed and reported in several steps. */
    private static final byte[] CONTENT = TestBytes.syntheticModel();
    private static final int SIZE = CONTENT.length;
    private static final String SHA = TestBytes.sha256(CONTENT);
    private static final String WRONG_SHA = "0".repeat(64);

    @TempDir
    Path dir;
    private FileServer server;
    private Path target;
    private Path part;

    @BeforeEach
    void start() throws IOException {
        server = FileServer.start();
        target = dir.resolve("models").resolve("model.gguf");
        part = dir.resolve("models").resolve("model.gguf.part");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** Progress updates as (done, total) pairs. */
    private record Update(long done, long total, double speed) {
    }

    private static ModelDownloader downloader(int retries) {
        return ModelDownloader.builder().retries(retries).progressInterval(Duration.ZERO).build();
    }

    @Test
    void downloadsVerifiesAgainstGivenChecksumAndReportsProgress() throws IOException {
        server.serve("/m.gguf", CONTENT);
        List<Update> updates = new ArrayList<>();

        DownloadResult result = downloader(0).download(server.url("/m.gguf"), target, Optional.of(SHA.toUpperCase()),
                (done, total, speed) -> updates.add(new Update(done, total, speed)));

        assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
        assertThat(part).doesNotExist();
        assertThat(result).isEqualTo(new DownloadResult(target, SIZE, SHA, Verification.GIVEN_SHA256, 0));
        assertThat(updates).hasSizeGreaterThan(2);
        assertThat(updates).allSatisfy(u -> assertThat(u.total()).isEqualTo(SIZE));
        assertThat(updates).extracting(Update::done).isSorted();
        assertThat(updates.getLast().done()).isEqualTo(SIZE);
        assertThat(updates.getLast().speed()).isPositive();
    }

    @Test
    void checksumMismatchDeletesTheDownloadAndNamesBothChecksums() {
        server.serve("/m.gguf", CONTENT);

        assertThatThrownBy(() -> downloader(0).download(server.url("/m.gguf"), target, Optional.of(WRONG_SHA),
                DownloadProgress.none()))
                .isInstanceOf(ChecksumMismatchException.class)
                .hasMessageContaining("expected SHA-256 " + WRONG_SHA)
                .hasMessageContaining("got " + SHA);
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
    }

    @Test
    void resumesFromThePartialFileOfAnInterruptedRunWithARangeRequest() throws IOException {
        server.serve("/m.gguf", CONTENT, null, false, 1, SIZE / 3);
        URI url = server.url("/m.gguf");

        assertThatThrownBy(() -> downloader(0).download(url, target, Optional.of(SHA), DownloadProgress.none()))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("connection to 127.0.0.1 lost")
                .hasMessageContaining("run again to resume");
        assertThat(target).doesNotExist();
        long kept = Files.size(part);
        assertThat(kept).isPositive().isLessThanOrEqualTo(SIZE / 3);

        List<Long> resumedAt = new ArrayList<>();
        DownloadResult result = downloader(0).download(url, target, Optional.of(SHA), new DownloadProgress() {
            @Override
            public void update(long done, long total, double speed) {
            }

            @Override
            public void resumed(long fromByte) {
                resumedAt.add(fromByte);
            }
        });

        assertThat(server.requests().getLast()).isEqualTo(new FileServer.Request("/m.gguf", "bytes=" + kept + "-"));
        assertThat(resumedAt).containsExactly(kept);
        assertThat(result.resumedFrom()).isEqualTo(kept);
        assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
        assertThat(result.sha256()).isEqualTo(SHA);
        assertThat(part).doesNotExist();
    }

    @Test
    void resumesAtOnceWhenTheConnectionDropsAfterProgress() throws IOException {
        server.serve("/m.gguf", CONTENT, null, false, 2, SIZE / 3);

        DownloadResult result = downloader(3).download(server.url("/m.gguf"), target, Optional.of(SHA),
                DownloadProgress.none());

        assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
        assertThat(server.requests()).hasSize(3);
        assertThat(server.requests().getFirst().range()).isNull();
        assertThat(server.requests().get(1).range()).startsWith("bytes=");
        assertThat(result.resumedFrom()).isPositive();
    }

    @Test
    void aServerThatStopsSendingIsGivenUpOnAndThePartialFileKept() throws IOException {
        server.stallAfter("/m.gguf", CONTENT, SIZE / 2);
        ModelDownloader impatient = ModelDownloader.builder().retries(0).stallTimeout(Duration.ofSeconds(1)).build();

        assertThatThrownBy(() -> impatient.download(server.url("/m.gguf"), target, Optional.of(SHA),
                DownloadProgress.none()))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("no data from 127.0.0.1 for 1 s");
        assertThat(target).doesNotExist();
        assertThat(Files.size(part)).isEqualTo(SIZE / 2);
    }

    @Test
    void notFoundNamesTheUrlAndLeavesNothing() {
        URI url = server.url("/no/such.gguf");

        assertThatThrownBy(() -> downloader(0).download(url, target, Optional.empty(), DownloadProgress.none()))
                .isInstanceOf(NotFoundException.class)
                .hasMessage("not found (HTTP 404): " + url);
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
    }

    @Test
    void followsRedirectsAndVerifiesAgainstTheChecksumAnnouncedOnTheRedirect() throws IOException {
        server.redirect("/repo/resolve/main/m.gguf", 302, "/cas/abc", "\"" + SHA + "\"")
                .redirect("/cas/abc", 307, server.url("/cdn/m.gguf").toString(), null)
                .serve("/cdn/m.gguf", CONTENT, "\"not-a-sha256\"", false, 0, 0);

        DownloadResult result = downloader(0).download(server.url("/repo/resolve/main/m.gguf"), target,
                Optional.empty(), DownloadProgress.none());

        assertThat(result.verification()).isEqualTo(Verification.ANNOUNCED_SHA256);
        assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
        assertThat(server.requests()).extracting(FileServer.Request::path)
                .containsExactly("/repo/resolve/main/m.gguf", "/cas/abc", "/cdn/m.gguf");
    }

    @Test
    void aWrongAnnouncedChecksumFailsThePullAndNoFileAppears() {
        server.redirect("/resolve/m.gguf", 302, "/cdn/m.gguf", "\"" + WRONG_SHA + "\"")
                .serve("/cdn/m.gguf", CONTENT);

        assertThatThrownBy(() -> downloader(0).download(server.url("/resolve/m.gguf"), target, Optional.empty(),
                DownloadProgress.none()))
                .isInstanceOf(ChecksumMismatchException.class);
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
    }

    @Test
    void usesAnEtagThatIsASha256AndOtherwiseSaysUnverified() throws IOException {
        server.serve("/tagged.gguf", CONTENT, "\"" + SHA + "\"", false, 0, 0).serve("/plain.gguf", CONTENT);

        assertThat(downloader(0).download(server.url("/tagged.gguf"), target, Optional.empty(),
                DownloadProgress.none()).verification()).isEqualTo(Verification.ANNOUNCED_SHA256);
        Path other = dir.resolve("other.gguf");
        assertThat(downloader(0).download(server.url("/plain.gguf"), other, Optional.empty(),
                DownloadProgress.none()).verification()).isEqualTo(Verification.UNVERIFIED);
        assertThat(Files.readAllBytes(other)).isEqualTo(CONTENT);
    }

    @Test
    void startsAgainWhenTheServerIgnoresTheRange() throws IOException {
        Files.createDirectories(part.getParent());
        Files.write(part, TestBytes.of(5000)); // a stale prefix that is not the start of this file
        server.serve("/m.gguf", CONTENT, null, true, 0, 0);

        DownloadResult result = downloader(0).download(server.url("/m.gguf"), target, Optional.of(SHA),
                DownloadProgress.none());

        assertThat(server.requests().getFirst().range()).isEqualTo("bytes=5000-");
        assertThat(result.resumedFrom()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
    }

    @Test
    void finishesAPartialFileThatIsAlreadyComplete() throws IOException {
        Files.createDirectories(part.getParent());
        Files.write(part, CONTENT);
        server.serve("/m.gguf", CONTENT);

        DownloadResult result = downloader(0).download(server.url("/m.gguf"), target, Optional.of(SHA),
                DownloadProgress.none());

        assertThat(server.requests()).containsExactly(new FileServer.Request("/m.gguf", "bytes=" + SIZE + "-"));
        assertThat(result.resumedFrom()).isEqualTo(SIZE);
        assertThat(Files.readAllBytes(target)).isEqualTo(CONTENT);
    }

    @Test
    void anUnreachableServerNamesTheHost() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + closedPort + "/m.gguf");

        assertThatThrownBy(() -> downloader(0).download(url, target, Optional.empty(), DownloadProgress.none()))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("127.0.0.1:" + closedPort);
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
    }

    @Test
    void anUnknownHostIsReportedAsADnsProblem() {
        URI url = URI.create("http://no-such-host.invalid/m.gguf");

        assertThatThrownBy(() -> downloader(0).download(url, target, Optional.empty(), DownloadProgress.none()))
                .isInstanceOf(NetworkException.class)
                .hasMessageContaining("no-such-host.invalid");
    }

    @Test
    void anUnwritableTargetIsAStorageError() throws IOException {
        Path blocker = Files.writeString(dir.resolve("file"), "in the way");
        server.serve("/m.gguf", CONTENT);

        assertThatThrownBy(() -> downloader(0).download(server.url("/m.gguf"), blocker.resolve("model.gguf"),
                Optional.empty(), DownloadProgress.none()))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(blocker.toString());
        assertThat(server.requests()).isEmpty();
    }

    /** 2^50 bytes: more than any disk this runs on has free. */
    private static final long ONE_PIB = 1L << 50;

    @Test
    void aFileLargerThanTheFreeSpaceIsRefusedBeforeAnyByteIsWritten() {
        server.announce("/huge.gguf", ONE_PIB);

        assertThatThrownBy(() -> downloader(0).download(server.url("/huge.gguf"), target, Optional.empty(),
                DownloadProgress.none()))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.path()).isEqualTo(target.getParent()))
                .message()
                .matches("not enough disk space in \\Q" + target.getParent() + "\\E: need 1\\.1 PB, "
                        + "\\d+(\\.\\d)? [kMGT]?B free");
        assertThat(target).doesNotExist();
        assertThat(part).doesNotExist();
        assertThat(server.requests()).containsExactly(new FileServer.Request("/huge.gguf", null));
    }

    @Test
    void aResumedFileLargerThanTheFreeSpaceIsRefusedAndThePartialFileKeptAsItWas() throws IOException {
        byte[] prefix = TestBytes.of(5000);
        Files.createDirectories(part.getParent());
        Files.write(part, prefix);
        server.announce("/huge.gguf", ONE_PIB);

        assertThatThrownBy(() -> downloader(0).download(server.url("/huge.gguf"), target, Optional.empty(),
                DownloadProgress.none()))
                .isInstanceOf(StorageException.class)
                .message()
                .startsWith("not enough disk space in " + target.getParent() + ": need "
                        + ByteSizes.format(ONE_PIB - prefix.length) + ", ")
                .doesNotContain("\n");
        assertThat(server.requests()).containsExactly(new FileServer.Request("/huge.gguf", "bytes=5000-"));
        assertThat(target).doesNotExist();
        assertThat(Files.readAllBytes(part)).isEqualTo(prefix);
    }

    @Test
    void anInterruptedThreadStopsTheDownloadAndKeepsItsFlag() {
        server.serve("/m.gguf", CONTENT);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> downloader(0).download(server.url("/m.gguf"), target, Optional.empty(),
                    DownloadProgress.none()))
                    .isInstanceOf(DownloadInterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(target).doesNotExist();
    }

    @Test
    void interruptingAStalledTransferStopsItAndKeepsThePartialFileForResuming() throws Exception {
        server.stallAfter("/m.gguf", CONTENT, SIZE / 2);
        CountDownLatch halfway = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().start(() -> {
            try {
                downloader(0).download(server.url("/m.gguf"), target, Optional.of(SHA), (done, total, speed) -> {
                    if (done >= SIZE / 2) halfway.countDown();
                });
            } catch (Throwable e) {
                failure.set(e);
            }
        });

        assertThat(halfway.await(1, TimeUnit.MINUTES)).isTrue();
        worker.interrupt();
        worker.join(Duration.ofMinutes(1));

        assertThat(worker.isAlive()).isFalse();
        assertThat(failure.get()).isInstanceOf(DownloadInterruptedException.class)
                .hasMessageContaining("run it again to resume");
        assertThat(target).doesNotExist();
        assertThat(Files.size(part)).isEqualTo(SIZE / 2);
    }

    @Test
    void aRedirectLoopEndsWithAClearError() {
        server.redirect("/a", 302, "/b", null).redirect("/b", 302, "/a", null);

        assertThatThrownBy(() -> downloader(0).download(server.url("/a"), target, Optional.empty(),
                DownloadProgress.none()))
                .isInstanceOf(HttpStatusException.class)
                .hasMessageContaining("more than 10 redirects");
    }

    @Test
    void rejectsABadChecksumArgumentBeforeDownloading() {
        assertThatThrownBy(() -> downloader(0).download(server.url("/m.gguf"), target, Optional.of("abc"),
                DownloadProgress.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 hex digits");
        assertThat(server.requests()).isEmpty();
    }
}
