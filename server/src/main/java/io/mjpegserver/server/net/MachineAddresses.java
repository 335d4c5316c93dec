package io.mjpegserver.server.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The addresses of this machine, and the URLs a person can open to reach a server bound to one of them: a
 * wildcard bind ({@code 0.0.0.0}, {@code ::}) becomes {@code localhost} and each non-loopback address, IPv6
 * in brackets. Link-local IPv6 addresses are left out: a browser cannot open them without a zone.
 */
public final class MachineAddresses {

    private MachineAddresses() {
    }

    /** Every address of every interface that is up: loopback first, then IPv4, then IPv6. */
    public static List<InetAddress> ofThisMachine() {
        List<InetAddress> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (nic.isUp()) {
                    nic.inetAddresses().filter(a -> !a.isLinkLocalAddress()).forEach(addresses::add);
                }
            }
        } catch (SocketException e) {
            addresses.add(InetAddress.getLoopbackAddress());
        }
        addresses.sort(Comparator.comparing((InetAddress a) -> !a.isLoopbackAddress())
                .thenComparing(a -> a instanceof Inet6Address));
        return addresses;
    }

    /** Whether a server can listen on {@code address} here: a wildcard, or an address of an interface. */
    public static boolean isOfThisMachine(InetAddress address) {
        try {
            return address.isAnyLocalAddress() || NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return true;
        }
    }

    /** {@code address} as a URL host: IPv6 in brackets. */
    public static String urlHost(InetAddress address) {
        return address instanceof Inet6Address ? "[" + text(address) + "]" : text(address);
    }

    /** {@code address} as people write it: IPv6 without its zone, its longest run of zero groups as {@code ::}. */
    public static String text(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address.getHostAddress();
        }
        String[] groups = address.getHostAddress().replaceFirst("%.*", "").split(":");
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++) {
            int length = 0;
            while (i + length < groups.length && groups[i + length].equals("0")) {
                length++;
            }
            if (length > bestLength) {
                bestStart = i;
                bestLength = length;
            }
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        return String.join(":", List.of(groups).subList(0, bestStart)) + "::"
                + String.join(":", List.of(groups).subList(bestStart + bestLength, groups.length));
    }

    /**
     * The URLs of a server bound to {@code bound}. For a wildcard, {@code localhost} and each non-loopback
     * address of {@code machine} ({@code 0.0.0.0}: IPv4 only; {@code ::}: IPv4 and IPv6, as Linux binds it
     * dual-stack).
     */
    public static List<String> urls(String scheme, InetSocketAddress bound, List<InetAddress> machine) {
        String port = ":" + bound.getPort() + "/";
        InetAddress address = bound.getAddress();
        if (!address.isAnyLocalAddress()) {
            return List.of(scheme + "://" + urlHost(address) + port);
        }
        List<String> urls = new ArrayList<>();
        urls.add(scheme + "://localhost" + port);
        for (InetAddress a : machine) {
            if (!a.isLoopbackAddress() && (a instanceof Inet4Address || address instanceof Inet6Address)) {
                urls.add(scheme + "://" + urlHost(a) + port);
            }
        }
        return urls;
    }
}
