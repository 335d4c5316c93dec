package io.mjpegserver.server;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The shape of the code: capture knows nothing of the server, the server nothing of the benchmarks, and no two
 * packages depend on each other, so each package can be read with only the ones below it in mind.
 */
@AnalyzeClasses(packages = "io.mjpegserver", importOptions = {ImportOption.DoNotIncludeTests.class,
        ArchitectureTest.NoTestJars.class})
class ArchitectureTest {

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true)
            .layer("bench").definedBy("io.mjpegserver.bench..")
            .layer("server").definedBy("io.mjpegserver.server..")
            .layer("capture").definedBy("io.mjpegserver.capture..")
            .whereLayer("bench").mayNotBeAccessedByAnyLayer()
            .whereLayer("server").mayOnlyBeAccessedByLayers("bench")
            .whereLayer("capture").mayOnlyBeAccessedByLayers("server", "bench");

    /** Every package is a slice of its own: a cycle between any two, at any depth, fails. */
    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("io.mjpegserver.(**)").should().beFreeOfCycles();

    /** Test classes that come as another module's test jar. */
    static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("-tests.jar") && !location.contains("/test-classes/");
        }
    }
}
