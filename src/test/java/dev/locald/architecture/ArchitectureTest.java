package dev.locald.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.locald.runtime.LayeringViolation;
import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Holds src/main to {@link LayeringRules}, and shows that the rules do catch a bad import. */
class ArchitectureTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.locald");
    }

    @TestFactory
    Stream<DynamicTest> mainCodeKeepsTheLayering() {
        return LayeringRules.ALL.stream()
                .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(main)));
    }

    @Test
    void aRuleFailsWhenTheEngineImportsACnbPackage() {
        // a test-only class in dev.locald.runtime.. that imports cnb: the same rule must refuse it
        JavaClasses bad = new ClassFileImporter().importClasses(LayeringViolation.class);
        AssertionError failure = assertThrows(AssertionError.class, () -> LayeringRules.ENGINE_KNOWS_NO_CNB.check(bad));
        assertTrue(failure.getMessage().contains("LayeringViolation"), failure.getMessage());
    }

    @Test
    void noTwoMainClassesShareASimpleName() {
        Map<String, String> seen = new HashMap<>();
        List<String> clashes = main.stream()
                .filter(c -> c.isTopLevelClass() && !c.getSimpleName().equals("package-info"))
                .filter(c -> seen.putIfAbsent(c.getSimpleName(), c.getName()) != null)
                .map(c -> c.getName() + " ~ " + seen.get(c.getSimpleName()))
                .toList();
        assertEquals(List.of(), clashes);
    }

    @Test
    void everyMainPackageSaysWhatItOwns() {
        List<String> missing = main.getPackage("dev.locald").getSubpackages().stream()
                .filter(p ->
                        !new File("src/main/java/" + p.getName().replace('.', '/') + "/package-info.java").isFile())
                .map(p -> p.getName())
                .toList();
        assertEquals(List.of(), missing, "packages without a package-info.java");
    }
}
