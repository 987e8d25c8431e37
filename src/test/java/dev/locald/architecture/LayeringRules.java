package dev.locald.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.lang.ArchRule;
import java.util.List;

/**
 * The layering of {@code dev.locald}, as docs/architecture.md draws it. Each rule names the packages it
 * keeps apart; {@link ArchitectureTest} holds the main code to all of them.
 */
final class LayeringRules {

    private static final String ROOT = "dev.locald.";

    /** Packages that know nothing of CNB: they run containers, assemble roots, pull and store images. */
    static final String[] ENGINE = packages("runtime", "etc", "rootfs", "layer", "store", "registry", "pull", "image");

    /** Packages that know the CNB platform contract or drive it. */
    static final String[] CNB = packages("lifecycle", "cnb", "source", "builds", "api", "janitor", "health", "metrics");

    static final ArchRule NO_CYCLES =
            slices().matching("dev.locald.(*)..").should().beFreeOfCycles().as("packages form no cycle");

    static final ArchRule NOTHING_IMPORTS_API = noClasses()
            .that()
            .resideOutsideOfPackage(ROOT + "api..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage(ROOT + "api..")
            .as("nothing imports api: the HTTP layer is the top");

    static final ArchRule ENGINE_KNOWS_NO_CNB = noClasses()
            .that()
            .resideInAnyPackage(ENGINE)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(CNB)
            .as(
                    "the engine (runtime, etc, rootfs, layer, store, registry, pull, image) never imports the CNB packages");

    static final ArchRule CONTRACT_STARTS_NO_CONTAINERS = noClasses()
            .that()
            .resideInAPackage(ROOT + "lifecycle..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    packages("runtime", "etc", "rootfs", "layer", "pull", "store", "cnb", "builds", "source"))
            .as("lifecycle holds the platform contract only: it starts no container and knows no build queue");

    static final ArchRule QUEUE_KNOWS_NO_CNB = noClasses()
            .that()
            .resideInAPackage(ROOT + "builds..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(packages("cnb", "lifecycle", "runtime", "pull"))
            .as("builds (queue, records, workers) knows nothing of CNB or containers");

    static final ArchRule STORE_KNOWS_NO_REGISTRY = noClasses()
            .that()
            .resideInAPackage(ROOT + "store..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(packages("registry", "pull", "layer"))
            .as("the store never imports the registry client, the puller or the extractor");

    static final ArchRule LEAVES = noClasses()
            .that()
            .resideInAnyPackage(packages("fs", "json", "config", "image", "logs"))
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(packages(
                    "api",
                    "builds",
                    "cnb",
                    "etc",
                    "health",
                    "janitor",
                    "layer",
                    "lifecycle",
                    "metrics",
                    "pull",
                    "registry",
                    "rootfs",
                    "runtime",
                    "source",
                    "store"))
            .as("fs, json, config, image and logs are leaves");

    static final List<ArchRule> ALL = List.of(
            NO_CYCLES,
            NOTHING_IMPORTS_API,
            ENGINE_KNOWS_NO_CNB,
            CONTRACT_STARTS_NO_CONTAINERS,
            QUEUE_KNOWS_NO_CNB,
            STORE_KNOWS_NO_REGISTRY,
            LEAVES);

    private static String[] packages(String... names) {
        String[] result = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            result[i] = ROOT + names[i] + "..";
        }
        return result;
    }

    private LayeringRules() {}
}
