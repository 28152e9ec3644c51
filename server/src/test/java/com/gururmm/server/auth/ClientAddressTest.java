package com.gururmm.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClientAddressTest {
    @Test
    void withoutTrustedProxiesTheHeaderIsIgnored() {
        ClientAddress none = ClientAddress.trusting("");
        assertThat(none.resolve("203.0.113.9", "198.51.100.1")).isEqualTo("203.0.113.9");
    }

    @Test
    void theRightMostUntrustedHopIsTheClient() {
        ClientAddress proxies = ClientAddress.trusting("10.0.0.5, 192.168.0.0/24");
        // client forged "1.1.1.1"; the outer proxy 192.168.0.7 appended the real client 203.0.113.9
        assertThat(proxies.resolve("10.0.0.5", "1.1.1.1, 203.0.113.9, 192.168.0.7")).isEqualTo("203.0.113.9");
        assertThat(proxies.resolve("10.0.0.5", "")).isEqualTo("10.0.0.5");
        assertThat(proxies.resolve("10.0.0.6", "198.51.100.1")).as("an untrusted peer's header").isEqualTo("10.0.0.6");
        assertThat(proxies.resolve("10.0.0.5", "192.168.0.1,192.168.0.2")).as("all hops trusted: the left-most").isEqualTo("192.168.0.1");
        assertThat(proxies.resolve("10.0.0.5", "not-an-ip")).as("garbage stops at the proxy").isEqualTo("10.0.0.5");
    }

    @Test
    void ipv6RangesAndBrackets() {
        ClientAddress proxies = ClientAddress.trusting("::1, fd00::/8");
        assertThat(proxies.resolve("[::1]", "2001:db8::7, fd00::3")).isEqualTo("2001:db8::7");
        assertThat(proxies.resolve("0:0:0:0:0:0:0:1", "[2001:db8::8]")).isEqualTo("2001:db8::8");
    }

    @Test
    void badSettingsAreRefusedWithTheEntryNamed() {
        assertThatThrownBy(() -> ClientAddress.parseTrusted("10.0.0.1, proxy.example.com")).hasMessageContaining("proxy.example.com");
        assertThatThrownBy(() -> ClientAddress.parseTrusted("10.0.0.0/33")).hasMessageContaining("10.0.0.0/33");
        assertThat(ClientAddress.parseTrusted(" , ")).isEmpty();
    }
}
