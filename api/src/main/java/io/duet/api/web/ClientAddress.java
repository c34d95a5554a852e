package io.duet.api.web;

import io.micronaut.http.HttpRequest;
import jakarta.inject.Singleton;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The client's address for rate limits. {@code X-Forwarded-For} is believed only when the peer is a
 * configured trusted proxy, and then only up to the first address that is not one: a client cannot pick
 * its own rate-limit bucket by sending the header itself. The peer is the socket's, unless the adapter
 * that received the request knows better and put it in {@link #PEER_ATTRIBUTE} (behind API Gateway, the
 * Lambda functions take it from the event's {@code requestContext.http.sourceIp}: the runtime has no
 * socket to the client, and the server's own address would make every caller one bucket). An IPv6 client
 * is its /64, the block one subscriber gets: a single host can pick among 2^64 addresses.
 */
@Singleton
public class ClientAddress {
    /** Request attribute (an {@link InetAddress}) holding the caller's address where the socket does not. */
    public static final String PEER_ATTRIBUTE = "duet.client.peer";
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

    /** The rate-limit key of the request's client: an IPv4 address or an IPv6 /64. */
    public String of(HttpRequest<?> request) {
        InetAddress peer = request.getAttribute(PEER_ATTRIBUTE, InetAddress.class)
                .orElseGet(() -> request.getRemoteAddress().getAddress());
        return of(peer, request.getHeaders().getAll("X-Forwarded-For"));
    }

    /**
     * The same for a request that did not come through Micronaut (the realtime gateway's own transports):
     * the socket's peer and the {@code X-Forwarded-For} header values.
     */
    public String of(InetAddress peer, List<String> forwarded) {
        if (peer == null) {
            return "unknown";
        }
        return bucket(client(peer, forwarded));
    }

    /** The client behind the peer: the peer itself, or the right-most forwarded address not trusted. */
    private InetAddress client(InetAddress peer, List<String> forwarded) {
        if (!isTrusted(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwarded) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.strip());
                }
            }
        }
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = parse(hops.get(i));
            if (hop == null) {
                return client;
            }
            client = hop;
            if (!isTrusted(hop)) {
                return client;
            }
        }
        return client;
    }

    /** An IPv4 address as it is; an IPv6 address as its /64 network, e.g. {@code 2001:db8:0:1::/64}. */
    static String bucket(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        byte[] raw = address.getAddress();
        Arrays.fill(raw, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(raw).getHostAddress().replaceFirst("(:0)+$", "::") + "/64";
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
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
            return raw.length * 8 == length
                    && mask(new BigInteger(1, raw), bits, length).equals(network);
        }

        private static BigInteger mask(BigInteger value, int bits, int length) {
            return value.shiftRight(length - bits);
        }
    }
}
