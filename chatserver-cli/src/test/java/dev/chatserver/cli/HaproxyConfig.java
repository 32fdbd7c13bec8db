package dev.chatserver.cli;

import java.util.List;

/**
 * The HAProxy configuration of the load balancer test, the recipe of {@code docs/deploy.md} on loopback ports:
 * the SocketLab port in TCP mode, the web port in HTTP mode (WebSocket upgrades pass through), both balanced by
 * {@code leastconn} over servers whose {@code /health} is checked every {@link #CHECK_INTERVAL_MS} ms; two failed
 * checks in a row take a server out (one slow answer on a loaded machine must not).
 *
 * @param tcpFrontend   the port clients of the TCP protocol connect to
 * @param webFrontend   the port browsers and WebSocket clients connect to
 * @param statsFrontend the port of HAProxy's statistics page ({@code /stats;csv})
 * @param servers       the chatservers behind it
 */
record HaproxyConfig(int tcpFrontend, int webFrontend, int statsFrontend, List<Backend> servers) {

    /** The health check interval: short, so the test is fast; {@code docs/deploy.md} uses 2 s. */
    static final int CHECK_INTERVAL_MS = 200;

    /**
     * One chatserver.
     *
     * @param name    its name in HAProxy
     * @param tcpPort its SocketLab port
     * @param webPort its web port (health checks go there)
     */
    record Backend(String name, int tcpPort, int webPort) {
    }

    /** @return the configuration file's text */
    String text() {
        StringBuilder cfg = new StringBuilder();
        cfg.append("""
                global
                    maxconn 1000

                defaults
                    timeout connect 2s
                    timeout check 2s
                    timeout client 1h
                    timeout server 1h
                    timeout tunnel 1h
                    retries 2
                    option redispatch

                frontend stats
                    mode http
                    bind 127.0.0.1:%d
                    stats enable
                    stats uri /stats

                frontend chat_tcp
                    mode tcp
                    bind 127.0.0.1:%d
                    default_backend chat_tcp

                frontend chat_web
                    mode http
                    bind 127.0.0.1:%d
                    default_backend chat_web

                """.formatted(statsFrontend, tcpFrontend, webFrontend));
        cfg.append(backend("chat_tcp", "tcp", true));
        cfg.append(backend("chat_web", "http", false));
        return cfg.toString();
    }

    private String backend(String name, String mode, boolean tcp) {
        StringBuilder b = new StringBuilder();
        b.append("backend ").append(name).append('\n')
                .append("    mode ").append(mode).append('\n')
                .append("    balance leastconn\n")
                .append("    option httpchk\n")
                .append("    http-check send meth GET uri /health ver HTTP/1.1 hdr Host 127.0.0.1\n")
                .append("    http-check expect status 200\n")
                .append(tcp ? "" : "    retry-on all-retryable-errors\n")
                .append("    default-server inter ").append(CHECK_INTERVAL_MS).append("ms fall 2 rise 1")
                .append(" on-marked-down shutdown-sessions\n");
        for (Backend server : servers) {
            b.append("    server ").append(server.name()).append(" 127.0.0.1:")
                    .append(tcp ? server.tcpPort() : server.webPort())
                    .append(" check").append(tcp ? " port " + server.webPort() : "").append('\n');
        }
        return b.append('\n').toString();
    }
}
