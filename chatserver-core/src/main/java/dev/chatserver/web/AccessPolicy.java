package dev.chatserver.web;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which {@code Host} and {@code Origin} headers the web server accepts.
 *
 * <p>A {@code Host} must name this server: a loopback name ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}),
 * the bound address, or (when bound to all interfaces) an address of a local interface, always with the server's
 * port. Host names that merely resolve to us are refused: that is what defeats DNS rebinding, where a foreign
 * page's name is pointed at 127.0.0.1 and its scripts then talk to us as "same origin".
 *
 * <p>Behind a reverse proxy or load balancer, requests name the proxy, not this server: extra host names can be
 * allowed explicitly, each with any port ({@code chat.example.com}) or one port ({@code chat.example.com:8080}).
 * Allowing a name is a statement that the name is ours, which is what the DNS rebinding check needs to know.
 *
 * <p>An {@code Origin} must be {@code http://} one of those hosts with the server's port, or an explicitly allowed
 * origin. Origins are compared in the form browsers send them: lower case, no path, no default port.
 *
 * @param port       the server's port
 * @param hostNames  accepted host names, lower case, IPv6 literals without brackets
 * @param origins    accepted origins in browser form, e.g. {@code http://localhost:5175}
 * @param extraHosts explicitly allowed hosts in {@link #hostKey} form: {@code name} (any port) or
 *                   {@code name:port}, lower case, IPv6 literals in brackets
 */
record AccessPolicy(int port, Set<String> hostNames, Set<String> origins, Set<String> extraHosts) {

    private static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "::1");

    /** Copies the sets. */
    AccessPolicy {
        hostNames = Collections.unmodifiableSet(new LinkedHashSet<>(hostNames));
        origins = Collections.unmodifiableSet(new LinkedHashSet<>(origins));
        extraHosts = Collections.unmodifiableSet(new LinkedHashSet<>(extraHosts));
    }

    /** The policy of a server that allows no extra hosts; see {@link #of(String, int, List, List)}. */
    static AccessPolicy of(String boundHost, int port, List<URI> allowed) {
        return of(boundHost, port, allowed, List.of());
    }

    /**
     * Builds the policy of a server.
     *
     * @param boundHost the address the server binds
     * @param port      the server's real port
     * @param allowed   extra origins (each checked by {@link #checkOrigin})
     * @param hosts     extra {@code Host} names (each checked by {@link #checkHost}), e.g. a proxy's public name
     * @return the policy
     */
    static AccessPolicy of(String boundHost, int port, List<URI> allowed, List<String> hosts) {
        Set<String> names = new LinkedHashSet<>(LOOPBACK_NAMES);
        names.add(stripBrackets(boundHost.toLowerCase(Locale.ROOT)));
        try {
            InetAddress bound = InetAddress.getByName(boundHost);
            names.add(bound.getHostAddress().toLowerCase(Locale.ROOT));
            if (bound.isAnyLocalAddress()) names.addAll(interfaceAddresses());
        } catch (UnknownHostException e) {
            // The server could not bind it either; the names above are all we can accept.
        }
        names.remove("0.0.0.0");
        names.remove("::");
        Set<String> origins = new LinkedHashSet<>();
        for (String name : names) origins.add(serialize("http", name, port));
        for (URI origin : allowed) origins.add(serialize(origin.getScheme(), origin.getHost(), origin.getPort()));
        Set<String> extra = new LinkedHashSet<>();
        for (String host : hosts) extra.add(checkHost(host));
        return new AccessPolicy(port, names, origins, extra);
    }

    /**
     * Checks an extra host: a name or IP literal, optionally with a port, as it appears in a {@code Host} header.
     *
     * @param host e.g. {@code chat.example.com}, {@code chat.example.com:8080}, {@code [2001:db8::1]}
     * @return its {@link #hostKey} form
     * @throws IllegalArgumentException naming what is wrong
     */
    static String checkHost(String host) {
        URI uri = parse("http://" + host.trim())
                .filter(u -> u.getHost() != null && u.getRawPath().isEmpty() && u.getUserInfo() == null
                        && u.getRawQuery() == null && u.getRawFragment() == null)
                .orElseThrow(() -> new IllegalArgumentException(
                        "allowed host must be a name or address with an optional :port, was: " + host));
        return hostKey(uri.getHost(), uri.getPort());
    }

    /** {@code host} (any port, when {@code port} is -1) or {@code host:port}, lower case, IPv6 in brackets. */
    private static String hostKey(String host, int port) {
        String h = stripBrackets(host.toLowerCase(Locale.ROOT));
        String hostPart = h.contains(":") ? "[" + h + "]" : h;
        return port == -1 ? hostPart : hostPart + ":" + port;
    }

    /**
     * Checks that a URI is an origin: scheme {@code http} or {@code https}, a host, no path, query or fragment.
     *
     * @param origin the URI
     * @return the URI
     * @throws IllegalArgumentException naming what is wrong
     */
    static URI checkOrigin(URI origin) {
        String scheme = origin.getScheme() == null ? "" : origin.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("origin must start with http:// or https://: " + origin);
        }
        if (origin.getHost() == null) throw new IllegalArgumentException("origin has no host: " + origin);
        boolean noPath = origin.getRawPath() == null || origin.getRawPath().isEmpty() || origin.getRawPath().equals("/");
        if (!noPath || origin.getRawQuery() != null || origin.getRawFragment() != null || origin.getUserInfo() != null) {
            throw new IllegalArgumentException("origin must be scheme://host[:port] only: " + origin);
        }
        return origin;
    }

    /**
     * @param host the {@code Host} header value, or null when absent
     * @return true when it names this server with its port, or is an explicitly allowed host
     */
    boolean hostAllowed(String host) {
        if (host == null) return false;
        Optional<URI> uri = parse("http://" + host.trim());
        return uri.filter(u -> u.getHost() != null && u.getRawPath().isEmpty() && u.getUserInfo() == null)
                .filter(u -> extraHosts.contains(hostKey(u.getHost(), -1))
                        || extraHosts.contains(hostKey(u.getHost(), effectivePort("http", u.getPort())))
                        || effectivePort("http", u.getPort()) == port
                        && hostNames.contains(stripBrackets(u.getHost().toLowerCase(Locale.ROOT))))
                .isPresent();
    }

    /**
     * @param origin the {@code Origin} header value, or null when absent
     * @return true when absent (not a browser) or one of the accepted origins
     */
    boolean originAllowed(String origin) {
        if (origin == null) return true;
        return parse(origin.trim())
                .filter(u -> u.getScheme() != null && u.getHost() != null)
                .map(u -> serialize(u.getScheme(), u.getHost(), u.getPort()))
                .filter(origins::contains)
                .isPresent();
    }

    private static Optional<URI> parse(String text) {
        try {
            return Optional.of(new URI(text));
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** The form browsers send: {@code scheme://host[:port]}, lower case, the port left out when it is the default. */
    private static String serialize(String scheme, String host, int port) {
        String s = scheme.toLowerCase(Locale.ROOT);
        String h = stripBrackets(host.toLowerCase(Locale.ROOT));
        String hostPart = h.contains(":") ? "[" + h + "]" : h;
        int p = effectivePort(s, port);
        return p == effectivePort(s, -1) ? s + "://" + hostPart : s + "://" + hostPart + ":" + p;
    }

    private static int effectivePort(String scheme, int port) {
        if (port != -1) return port;
        return scheme.equals("https") ? 443 : 80;
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static Set<String> interfaceAddresses() {
        Set<String> addresses = new LinkedHashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    String text = address.getHostAddress().toLowerCase(Locale.ROOT);
                    int zone = text.indexOf('%');
                    addresses.add(zone < 0 ? text : text.substring(0, zone));
                }
            }
        } catch (SocketException e) {
            // No interface list: only loopback names and the bound address are accepted.
        }
        return addresses;
    }
}
