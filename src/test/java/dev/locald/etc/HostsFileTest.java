package dev.locald.etc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostsFileTest {

    @Test
    void localhostBothFamiliesHostnameAndExtras() {
        assertEquals(
                "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\tbuild-1\n"
                        + "10.0.0.5\tregistry.local\n2001:db8::1\tv6\n",
                HostsFile.render(
                        "build-1",
                        List.of(new HostEntry("registry.local", "10.0.0.5"), new HostEntry("v6", "2001:0db8:0:0::1"))));
    }

    @Test
    void extraHostsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> new HostEntry("bad host", "10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new HostEntry("a\n1.2.3.4 evil", "10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new HostEntry("-leading", "10.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> new HostEntry("ok", "example.com"));
        assertThrows(IllegalArgumentException.class, () -> new HostEntry("ok", "10.0.0.1\n"));
        assertThrows(IllegalArgumentException.class, () -> HostsFile.render("a..b", List.of()));
    }
}
