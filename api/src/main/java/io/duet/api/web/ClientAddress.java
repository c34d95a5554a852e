package io.duet.api.web;

import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The client's address for rate limits. {@code X-Forwarded-For} is believed only when the socket's
 * peer is a configured trusted proxy, and then only up to the first address that is not one: a client
 * cannot pick its own rate-limit bucket by sending the header itself.
 */
@Singleton
public class ClientAddress {
    /** Characters of an IPv4 or IPv6 literal; checked on requests that carry X-Forwarded-For. */
    private static final Pattern ADDRESS_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");
    private final List<Cidr> trusted;

    ClientAddress(RateLimitConfig config) {
        List<Cidr> parsed = new ArrayList<>();
        for (String cidr : config.trustedProxies()) {
            parsed.add(Cidr.parse(cidr.strip()));
        }
        this.trusted = List.copyOf(parsed);
    }

    public String of(HttpRequest<?> request) {
        InetAddress peer = request.getRemoteAddress().getAddress();
        if (peer == null) {
            return "unknown";
        }
        if (!isTrusted(peer)) {
            return peer.getHostAddress();
        }
        List<String> forwarded = request.getHeaders().getAll("X-Forwarded-For");
        List<String> hops = new ArrayList<>();
        for (String header : forwarded) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.strip());
                }
            }
        }
        String client = peer.getHostAddress();
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = parse(hops.get(i));
            if (hop == null) {
                return client;
            }
            client = hop.getHostAddress();
            if (!isTrusted(hop)) {
                return client;
            }
        }
        return client;
    }

    private boolean isTrusted(InetAddress address) {
        return trusted.stream().anyMatch(cidr -> cidr.contains(address));
    }

    /** Literal addresses only: never a DNS lookup for a header value. */
    private static InetAddress parse(String literal) {
        if (!ADDRESS_LITERAL.matcher(literal).matches()) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(literal);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private record Cidr(BigInteger network, int bits, int length) {
        static Cidr parse(String text) {
            String[] parts = text.split("/");
            InetAddress address;
            try {
                address = InetAddress.getByName(parts[0]);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an address: " + text, e);
            }
            int length = address.getAddress().length * 8;
            int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : length;
            return new Cidr(mask(new BigInteger(1, address.getAddress()), bits, length), bits, length);
        }

        boolean contains(InetAddress address) {
            byte[] raw = address.getAddress();
            return raw.length * 8 == length && mask(new BigInteger(1, raw), bits, length).equals(network);
        }

        private static BigInteger mask(BigInteger value, int bits, int length) {
            return value.shiftRight(length - bits);
        }
    }
}
