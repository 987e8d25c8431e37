package dev.locald.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.locald.image.CnbUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BindingsDirTest {

    static final CnbUser USER = new CnbUser(4242, 4343);

    @TempDir
    Path tmp;

    @Test
    void writesOneDirectoryPerBindingReadableOnlyByTheCnbUser() throws IOException {
        Path platform = Files.createDirectory(tmp.resolve("platform"));
        BindingsDir.write(
                platform,
                Map.of("maven", Map.of("type", "maven", "settings.xml", "<settings/>"), "ca", Map.of("type", "ca")),
                USER);
        Path maven = platform.resolve("bindings/maven");
        assertEquals("maven", Files.readString(maven.resolve("type")));
        assertEquals("<settings/>", Files.readString(maven.resolve("settings.xml")));
        assertEquals("ca", Files.readString(platform.resolve("bindings/ca/type")));
        for (Path p : new Path[] {platform.resolve("bindings"), maven, maven.resolve("settings.xml")}) {
            assertEquals(4242, Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS), p.toString());
            assertEquals(4343, Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS), p.toString());
        }
        assertEquals("r--r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(maven.resolve("type"))));
        assertEquals("r-xr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(maven)));
    }

    @Test
    void noBindingsWriteNothing() throws IOException {
        Path platform = Files.createDirectory(tmp.resolve("platform"));
        BindingsDir.write(platform, Map.of(), USER);
        assertFalse(Files.exists(platform.resolve("bindings")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "a/b", "", "../env"})
    void unsafeNamesAreRefusedBeforeAnythingIsWritten(String name) throws IOException {
        Path platform = Files.createDirectory(tmp.resolve("platform"));
        assertThrows(
                IllegalArgumentException.class,
                () -> BindingsDir.write(platform, Map.of("ok", Map.of("type", "t"), name, Map.of("type", "t")), USER));
        assertThrows(
                IllegalArgumentException.class,
                () -> BindingsDir.write(platform, Map.of("ok", Map.of("type", "t", name, "x")), USER));
        assertFalse(Files.exists(platform.resolve("bindings")));
    }

    @Test
    void aBindingRootVariableGoesToEveryPhaseOnlyWithBindings() {
        PlanOptions with = PhasePlanTest.options().bindings(true).build();
        PlanOptions without = PhasePlanTest.options().build();
        for (PlatformApi api : PlatformApiNegotiation.LOCALD_SUPPORTED) {
            for (boolean trusted : new boolean[] {true, false}) {
                PhasePlan.create(api, trusted, with)
                        .phases()
                        .forEach(p -> assertEquals(
                                "/platform/bindings",
                                p.env().get("SERVICE_BINDING_ROOT"),
                                p.phase().id()));
                PhasePlan.create(api, trusted, without)
                        .phases()
                        .forEach(p -> assertFalse(
                                p.env().containsKey("SERVICE_BINDING_ROOT"),
                                p.phase().id()));
            }
        }
    }
}
