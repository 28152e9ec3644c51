package com.gururmm.server.auth;

import io.javalin.http.Context;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The address a request really came from, for the login throttle and the audit log.
 *
 * <p>{@code X-Forwarded-For} is written by whoever sends the request, so it is believed only when
 * the direct peer is one of the operator's reverse proxies ({@code GURURMM_TRUSTED_PROXIES}).
 * Then the header is read from the right: each proxy appends the address it received from, so
 * the right-most entry that is not itself a trusted proxy is the client; anything left of it was
 * written by the client and may be forged. With no trusted proxies (the default) the header is
 * ignored: behind an untrusted hop anyone could pick a fresh "address" per guess.
 */
public final class ClientAddress {
    /** Only literals: a host name would make every request do a DNS lookup. */
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private final List<Range> trusted;

    private ClientAddress(List<Range> trusted) {
        this.trusted = trusted;
    }

    /** @param trustedProxies comma-separated addresses or CIDR ranges; empty trusts no proxy */
    public static ClientAddress trusting(String trustedProxies) {
        return new ClientAddress(parseTrusted(trustedProxies));
    }

    /** Parses the setting; an {@link IllegalArgumentException} names the entry that is wrong. */
    public static List<Range> parseTrusted(String trustedProxies) {
        List<Range> ranges = new ArrayList<>();
        if (trustedProxies == null || trustedProxies.isBlank()) {
            return List.of();
        }
        for (String raw : trustedProxies.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            ranges.add(Range.parse(entry));
        }
        return Collections.unmodifiableList(ranges);
    }

    /** The client address of an HTTP request (or a WebSocket upgrade). */
    public String of(Context ctx) {
        return resolve(ctx.ip(), String.join(",", Collections.list(ctx.req().getHeaders("X-Forwarded-For"))));
    }

    /** {@code peer} is the TCP peer; {@code forwardedFor} the (joined) header, or empty. */
    String resolve(String peer, String forwardedFor) {
        String candidate = strip(peer);
        if (forwardedFor == null || forwardedFor.isBlank()) {
            return candidate;
        }
        String[] hops = forwardedFor.split(",");
        for (int i = hops.length - 1; i >= 0 && isTrusted(candidate); i--) {
            String hop = strip(hops[i].trim());
            if (parse(hop) == null) {
                // A trusted proxy passed on something that is not an address: stop at that proxy.
                return candidate;
            }
            candidate = hop;
        }
        return candidate;
    }

    private boolean isTrusted(String address) {
        InetAddress parsed = parse(address);
        return parsed != null && trusted.stream().anyMatch(r -> r.contains(parsed));
    }

    /** {@code [::1]} and {@code [::1]:8080} as IPv6 proxies write them; a plain literal as it is. */
    private static String strip(String address) {
        if (address == null) {
            return "";
        }
        String a = address.trim();
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            return end > 0 ? a.substring(1, end) : a;
        }
        return a;
    }

    static InetAddress parse(String literal) {
        if (literal == null || !LITERAL.matcher(literal).matches() || !(literal.contains(".") || literal.contains(":"))) {
            return null;
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** One trusted entry: an address, or a CIDR range of them. */
    public record Range(byte[] network, int prefix) {
        static Range parse(String entry) {
            String[] parts = entry.split("/", 2);
            InetAddress address = ClientAddress.parse(strip(parts[0]));
            if (address == null) {
                throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR range.");
            }
            int bits = address.getAddress().length * 8;
            int prefix = bits;
            if (parts.length == 2) {
                try {
                    prefix = Integer.parseInt(parts[1]);
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("'" + entry + "' has a prefix length outside 0.." + bits + ".");
                }
            }
            return new Range(address.getAddress(), prefix);
        }

        boolean contains(InetAddress address) {
            byte[] candidate = address.getAddress();
            if (candidate.length != network.length) {
                return false;
            }
            int shift = network.length * 8 - prefix;
            return new BigInteger(1, candidate).shiftRight(shift).equals(new BigInteger(1, network).shiftRight(shift));
        }
    }
}
