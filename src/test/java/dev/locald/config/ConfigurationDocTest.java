package dev.locald.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/configuration.md names every key of {@link LocaldConfig}, so the documentation stays true. */
class ConfigurationDocTest {

    @Test
    void everyConfigKeyIsDocumented() throws IOException {
        String doc = Files.readString(Path.of("docs/configuration.md"));
        List<String> undocumented = new ArrayList<>();
        for (String key : keys("locald", LocaldConfig.class)) {
            if (!doc.contains("`" + key + "`")) {
                undocumented.add(key);
            }
        }
        assertEquals(List.of(), undocumented, "keys missing from docs/configuration.md");
    }

    /** Keys of a mapping interface: leaf methods become keys, methods returning a nested group recurse. */
    private static List<String> keys(String prefix, Class<?> mapping) {
        List<String> keys = new ArrayList<>();
        for (Method method : mapping.getDeclaredMethods()) {
            if (method.isDefault() || Modifier.isStatic(method.getModifiers()) || method.getParameterCount() > 0) {
                continue;
            }
            String key = prefix + "." + kebab(method.getName());
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() == LocaldConfig.class) {
                keys.addAll(keys(key, type));
            } else {
                keys.add(key);
            }
        }
        return keys;
    }

    private static String kebab(String name) {
        return name.replaceAll("([A-Z])", "-$1").toLowerCase();
    }
}
