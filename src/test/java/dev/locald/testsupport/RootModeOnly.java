package dev.locald.testsupport;

import dev.locald.runtime.RunMode;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A test of a root-mode feature (cgroup limits, host network plumbing, creating users): it runs whenever
 * the suite runs as the host's root, as CI does, and is skipped, with {@link #value() why}, when
 * scripts/test runs it as an ordinary user in rootless mode, where that feature does not exist.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RootModeOnly.Condition.class)
public @interface RootModeOnly {

    /** What root mode has that rootless mode lacks. */
    String value();

    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (!RunMode.current().rootless()) {
                return ConditionEvaluationResult.enabled("root mode");
            }
            String why = context.getElement()
                    .flatMap(e -> AnnotationSupport.findAnnotation(e, RootModeOnly.class))
                    .map(RootModeOnly::value)
                    .orElse("a root-mode feature");
            return ConditionEvaluationResult.disabled("rootless mode: " + why);
        }
    }
}
