package io.mjpegserver.server.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class MachineAddressesTest {

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    @Test
    void ipv6IsWrittenShortAndInBrackets() throws Exception {
        assertEquals("::1", MachineAddresses.text(ip("::1")));
        assertEquals("fd00::2", MachineAddresses.text(ip("fd00:0:0:0:0:0:0:2")));
        assertEquals("2001:db8:0:1::1", MachineAddresses.text(ip("2001:db8:0:1:0:0:0:1")));
        assertEquals("2001:db8:0:1:1:1:1:1", MachineAddresses.text(ip("2001:db8:0:1:1:1:1:1")));
        assertEquals("::", MachineAddresses.text(ip("::")));
        assertEquals("[fd00::2]", MachineAddresses.urlHost(ip("fd00::2")));
        assertEquals("192.0.2.2", MachineAddresses.urlHost(ip("192.0.2.2")));
    }

    @Test
    void aWildcardBecomesLocalhostAndTheMachinesAddresses() throws Exception {
        List<InetAddress> machine = List.of(ip("127.0.0.1"), ip("::1"), ip("192.0.2.2"), ip("fd00::2"));
        assertEquals(List.of("http://localhost:8080/", "http://192.0.2.2:8080/"),
                MachineAddresses.urls("http", new InetSocketAddress(ip("0.0.0.0"), 8080), machine));
        assertEquals(List.of("https://localhost:8443/", "https://192.0.2.2:8443/", "https://[fd00::2]:8443/"),
                MachineAddresses.urls("https", new InetSocketAddress(ip("::"), 8443), machine));
        assertEquals(List.of("http://[::1]:8080/"), MachineAddresses.urls("http", new InetSocketAddress(ip("::1"), 8080), machine));
        assertEquals(List.of("http://192.0.2.2:80/"), MachineAddresses.urls("http", new InetSocketAddress(ip("192.0.2.2"), 80), machine));
    }
}
