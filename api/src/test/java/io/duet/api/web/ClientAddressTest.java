package io.duet.api.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    @Test
    void givenIpv6Addresses_whenBucketed_thenTheirSlash64() {
        assertEquals(
                "2001:db8:1:2::/64", ClientAddress.bucket(InetAddress.ofLiteral("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
        assertEquals("2001:db8:1:2::/64", ClientAddress.bucket(InetAddress.ofLiteral("2001:db8:1:2::1")));
        assertEquals("2001:db8::/64", ClientAddress.bucket(InetAddress.ofLiteral("2001:db8::5")));
    }

    @Test
    void givenIpv4Address_whenBucketed_thenItself() {
        assertEquals("198.51.100.7", ClientAddress.bucket(InetAddress.ofLiteral("198.51.100.7")));
    }
}
