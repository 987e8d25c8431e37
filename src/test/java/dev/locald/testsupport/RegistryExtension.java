package dev.locald.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving a test class a real registry, started once for the class and stopped after
 * it: declare a {@link TestRegistry} parameter on a test, {@code @BeforeAll} or constructor. Classes
 * that need basic auth add {@link WithAuth}.
 */
public final class RegistryExtension implements ParameterResolver {

    /** Asks for a registry behind htpasswd basic auth. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface WithAuth {
        String username() default "locald";

        String password() default "s3cret-pass";
    }

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RegistryExtension.class);

    /** Stopped by JUnit when the class's store closes. */
    private record Running(TestRegistry registry) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            registry.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestRegistry.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return registry(context);
    }

    /**
     * The test class's registry, started on first use; for other extensions that build on it (the
     * fixture builders, the engine's images) so that a class still has exactly one registry.
     */
    public static TestRegistry registry(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        Class<?> testClass = classContext.getRequiredTestClass();
        return classContext
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent(
                        testClass,
                        key -> {
                            WithAuth auth = testClass.getAnnotation(WithAuth.class);
                            return new Running(
                                    auth == null
                                            ? TestRegistry.start()
                                            : TestRegistry.startWithAuth(auth.username(), auth.password()));
                        },
                        Running.class)
                .registry();
    }
}
