package dev.locald.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension for the engine integration tests: a new {@link EngineFixture} for every test
 * (declare an {@code EngineFixture} parameter on a {@code @BeforeEach} or test method) and, after
 * the test, the check that no runc container, mount, cgroup or bundle is left, then the sweep and
 * removal of whatever a failed test left. Images come from {@code RegistryExtension}'s registry.
 */
final class EngineExtension implements ParameterResolver, AfterEachCallback {

    /** The host resolv.conf the engine's synthetic /etc starts from, when not the default; a method's wins. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @interface HostResolvConf {
        String value();
    }

    static final String DEFAULT_HOST_RESOLV = "nameserver 10.1.2.3\n";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EngineExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EngineFixture.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        HostResolvConf resolv = context.getTestMethod()
                .map(m -> m.getAnnotation(HostResolvConf.class))
                .orElseGet(() -> context.getRequiredTestClass().getAnnotation(HostResolvConf.class));
        return context.getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        EngineFixture.class,
                        key -> {
                            try {
                                return new EngineFixture(resolv == null ? DEFAULT_HOST_RESOLV : resolv.value());
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        EngineFixture.class);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        EngineFixture engine = context.getStore(NAMESPACE).get(EngineFixture.class, EngineFixture.class);
        if (engine == null) {
            return;
        }
        try {
            engine.assertNothingLeft();
        } finally {
            // whatever a failed test left (a live container included) goes before its files do
            engine.sweeper.sweep();
            engine.deleteFiles();
        }
    }
}
