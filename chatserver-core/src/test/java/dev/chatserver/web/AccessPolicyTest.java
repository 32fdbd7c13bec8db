package dev.chatserver.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Host and Origin rules on their own. */
class AccessPolicyTest {

    private final AccessPolicy policy = AccessPolicy.of("127.0.0.1", 5175,
            List.of(URI.create("http://app.example:80"), URI.create("https://secure.example:8443")));

    @Test
    void hostsMustNameThisServerWithItsPort() {
        assertThat(policy.hostAllowed("127.0.0.1:5175")).isTrue();
        assertThat(policy.hostAllowed("localhost:5175")).isTrue();
        assertThat(policy.hostAllowed("[::1]:5175")).isTrue();
        assertThat(policy.hostAllowed("localhost")).as("default port 80").isFalse();
        assertThat(policy.hostAllowed("localhost:5176")).isFalse();
        assertThat(policy.hostAllowed("rebind.example:5175")).isFalse();
        assertThat(policy.hostAllowed("user@localhost:5175")).isFalse();
        assertThat(policy.hostAllowed("localhost:5175/x")).isFalse();
        assertThat(policy.hostAllowed("")).isFalse();
        assertThat(policy.hostAllowed(null)).isFalse();
    }

    @Test
    void allowedHostsAreAcceptedWithAnyPortOrTheirOwn() {
        AccessPolicy behindProxy = AccessPolicy.of("127.0.0.1", 5175, List.of(),
                List.of("Chat.Example", "lb.example:8080", "[2001:db8::1]"));
        assertThat(behindProxy.hostAllowed("chat.example")).isTrue();
        assertThat(behindProxy.hostAllowed("CHAT.example:5175")).isTrue();
        assertThat(behindProxy.hostAllowed("chat.example:1")).isTrue();
        assertThat(behindProxy.hostAllowed("lb.example:8080")).isTrue();
        assertThat(behindProxy.hostAllowed("lb.example:8081")).isFalse();
        assertThat(behindProxy.hostAllowed("lb.example")).as("port 80").isFalse();
        assertThat(behindProxy.hostAllowed("[2001:db8::1]:443")).isTrue();
        assertThat(behindProxy.hostAllowed("sub.chat.example")).isFalse();
        assertThat(behindProxy.hostAllowed("127.0.0.1:5175")).as("its own stay").isTrue();
        assertThat(behindProxy.hostAllowed("127.0.0.1:5176")).isFalse();
        assertThat(behindProxy.originAllowed("http://chat.example")).as("origins are separate").isFalse();
        for (String bad : List.of("chat.example/x", "user@chat.example", "", "chat.example:port")) {
            assertThatThrownBy(() -> AccessPolicy.checkHost(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void originsAreOwnOrAllowedInTheFormBrowsersSend() {
        assertThat(policy.originAllowed(null)).isTrue();
        assertThat(policy.originAllowed("http://127.0.0.1:5175")).isTrue();
        assertThat(policy.originAllowed("http://LOCALHOST:5175")).isTrue();
        assertThat(policy.originAllowed("http://[::1]:5175")).isTrue();
        assertThat(policy.originAllowed("http://app.example")).isTrue();
        assertThat(policy.originAllowed("http://app.example:80")).isTrue();
        assertThat(policy.originAllowed("https://secure.example:8443")).isTrue();
        assertThat(policy.origins()).contains("http://app.example", "https://secure.example:8443",
                "http://localhost:5175", "http://[::1]:5175");
        assertThat(policy.originAllowed("https://app.example")).isFalse();
        assertThat(policy.originAllowed("https://127.0.0.1:5175")).isFalse();
        assertThat(policy.originAllowed("http://localhost:5176")).isFalse();
        assertThat(policy.originAllowed("null")).isFalse();
        assertThat(policy.originAllowed("not a uri")).isFalse();
    }

    @Test
    void allowedOriginsMustBeBareOrigins() {
        assertThatThrownBy(() -> AccessPolicy.checkOrigin(URI.create("ftp://x.example")))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> AccessPolicy.checkOrigin(URI.create("http://x.example/path")))
                .hasMessageContaining("scheme://host[:port] only");
        assertThatThrownBy(() -> AccessPolicy.checkOrigin(URI.create("x.example")))
                .hasMessageContaining("http:// or https://");
        assertThat(AccessPolicy.checkOrigin(URI.create("http://x.example:3000/"))).hasHost("x.example");
    }

    @Test
    void aWildcardBindAcceptsLocalAddressesButNotNames() {
        AccessPolicy any = AccessPolicy.of("0.0.0.0", 8080, List.of());
        assertThat(any.hostAllowed("127.0.0.1:8080")).isTrue();
        assertThat(any.hostAllowed("0.0.0.0:8080")).isFalse();
        assertThat(any.hostAllowed("rebind.example:8080")).isFalse();
    }
}
