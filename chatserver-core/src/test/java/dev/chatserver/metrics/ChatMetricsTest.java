package dev.chatserver.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatserver.testing.PrometheusText;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The metrics API as another transport (an HTTP API) would call it, read back through the Prometheus text format
 * and a real parser.
 */
class ChatMetricsTest {

    @Test
    void httpRequestsCountWhileOpenAndClosingTwiceCountsOnce() {
        try (PrometheusMetrics metrics = ChatMetrics.prometheus()) {
            ChatMetrics.Registration first = metrics.connection(Transport.HTTP);
            ChatMetrics.Registration second = metrics.connection(Transport.HTTP);
            assertThat(PrometheusText.parse(metrics.scrape()).value("chatserver_connections", "transport", "http"))
                    .isEqualTo(2);
            first.close();
            first.close();
            assertThat(PrometheusText.parse(metrics.scrape()).value("chatserver_connections", "transport", "http"))
                    .isEqualTo(1);
            second.close();
            assertThat(PrometheusText.parse(metrics.scrape()).value("chatserver_connections", "transport", "http"))
                    .isZero();
        }
    }

    @Test
    void trackedSourcesAreSummedUntilUntracked() {
        try (PrometheusMetrics metrics = ChatMetrics.prometheus()) {
            AtomicInteger one = new AtomicInteger(3);
            ChatMetrics.Registration a = metrics.trackConnections(Transport.TCP, one::get);
            ChatMetrics.Registration b = metrics.trackConnections(Transport.TCP, () -> 4);
            metrics.connectionOpened(Transport.TCP);
            assertThat(PrometheusText.parse(metrics.scrape()).value("chatserver_connections", "transport", "tcp"))
                    .isEqualTo(8);
            one.set(1);
            b.close();
            assertThat(PrometheusText.parse(metrics.scrape()).value("chatserver_connections", "transport", "tcp"))
                    .isEqualTo(2);
            a.close();
            metrics.connectionClosed(Transport.TCP);
            assertThat(PrometheusText.parse(metrics.scrape()).value("chatserver_connections", "transport", "tcp"))
                    .isZero();
        }
    }

    @Test
    void repliesRejectionsAndEngineLoadArriveUnderTheirNames() {
        try (PrometheusMetrics metrics = ChatMetrics.prometheus()) {
            metrics.trackEngine(new EngineLoad() {
                public int queuedReplies() { return 5; }
                public int activeReplies() { return 2; }
                public int kvCellsInUse() { return 300; }
                public int openSessions() { return 7; }
            });
            metrics.replyEnded("end", 10, 4, 2_500_000);
            metrics.replyEnded("busy", 0, 0, -1);
            metrics.rejected(Rejection.BUSY);
            metrics.rejected(Rejection.BAD_INPUT);
            metrics.rejected(Rejection.BAD_INPUT);
            PrometheusText scrape = PrometheusText.parse(metrics.scrape());
            assertThat(scrape.value("chatserver_queue_length")).isEqualTo(5);
            assertThat(scrape.value("chatserver_active_replies")).isEqualTo(2);
            assertThat(scrape.value("chatserver_kv_cells_used")).isEqualTo(300);
            assertThat(scrape.value("chatserver_sessions")).isEqualTo(7);
            assertThat(scrape.value("chatserver_replies_total", "reason", "end")).isEqualTo(1);
            assertThat(scrape.value("chatserver_replies_total", "reason", "busy")).isEqualTo(1);
            assertThat(scrape.value("chatserver_prompt_tokens_total")).isEqualTo(10);
            assertThat(scrape.value("chatserver_generated_tokens_total")).isEqualTo(4);
            assertThat(scrape.value("chatserver_rejected_total", "reason", "busy")).isEqualTo(1);
            assertThat(scrape.value("chatserver_rejected_total", "reason", "bad_input")).isEqualTo(2);
            // Only the reply with a token has a time to first token: 2.5 ms, in the 5 ms bucket and above.
            assertThat(scrape.histogramCount("chatserver_time_to_first_token_seconds")).isEqualTo(1);
            assertThat(scrape.histogramSum("chatserver_time_to_first_token_seconds")).isEqualTo(0.0025);
            assertThat(scrape.buckets("chatserver_time_to_first_token_seconds"))
                    .containsEntry("0.005", 1.0).containsEntry("+Inf", 1.0);
        }
    }

    @Test
    void noMetricsCountNothingAndCostNothing() {
        ChatMetrics none = ChatMetrics.none();
        none.connection(Transport.WEBSOCKET).close();
        none.trackConnections(Transport.TCP, () -> 1).close();
        none.replyEnded("end", 1, 1, 1);
        none.decodeStep(1);
        assertThat(none).isSameAs(ChatMetrics.none()).isNotInstanceOf(PrometheusMetrics.class);
    }
}
