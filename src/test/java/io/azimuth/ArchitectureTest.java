package io.azimuth;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.azimuth.compute.disks.DiskAccess;
import io.azimuth.compute.disks.DiskDocuments;
import io.azimuth.compute.galleries.GalleriesProvider;
import io.azimuth.compute.galleries.GalleryDocuments;
import io.azimuth.compute.galleries.GalleryVmSource;
import io.azimuth.compute.images.ImageDocuments;
import io.azimuth.compute.images.ImagesProvider;
import io.azimuth.compute.images.VirtualMachineSource;
import io.azimuth.server.Config;
import io.azimuth.server.Platform;
import io.azimuth.server.Provider;
import io.azimuth.server.TlsMaterial;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The layers of docs/ARCHITECTURE.md, checked on the compiled classes: the shared mechanisms depend only on those
 * below them, providers only on the mechanisms and the plug-in point, and on each other only through the classes
 * named here as their hooks. A new dependency across these lines fails here until it is declared.
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.azimuth");
    }

    /** Classes of Azimuth's own in none of {@code packages}. */
    static DescribedPredicate<JavaClass> azimuthOutside(String... packages) {
        return resideInAnyPackage("io.azimuth..").and(DescribedPredicate.not(resideInAnyPackage(packages)));
    }

    static ArchRule onlyUses(String layer, String... below) {
        String[] allowed = new String[below.length + 1];
        allowed[0] = layer;
        System.arraycopy(below, 0, allowed, 1, below.length);
        return noClasses().that().resideInAPackage(layer).should().dependOnClassesThat(azimuthOutside(allowed))
                .because(layer + " may use only " + String.join(", ", below.length == 0 ? new String[]{"itself"} : below));
    }

    @Test
    void theProtocolPipelineAndTheStoreStandAlone() {
        onlyUses("io.azimuth.http..").check(classes);
        onlyUses("io.azimuth.store..").check(classes);
        // tokens, principals and roles: signing and checking need nothing of the rest
        onlyUses("io.azimuth.auth..").check(classes);
        // the template language: what a deployment evaluates, knowing nothing of who creates the resources
        onlyUses("io.azimuth.templates..").check(classes);
    }

    @Test
    void theBlobStoreUsesOnlyTheStoreAndThrowsItsOwnErrors() {
        onlyUses("io.azimuth.blobs..", "io.azimuth.store..").check(classes);
    }

    @Test
    void sharedMechanismsUseOnlyThoseBelowThem() {
        onlyUses("io.azimuth.arm..", "io.azimuth.http..", "io.azimuth.store..", "io.azimuth.auth..").check(classes);
        onlyUses("io.azimuth.lro..", "io.azimuth.arm..", "io.azimuth.http..", "io.azimuth.store..",
                "io.azimuth.auth..").check(classes);
        onlyUses("io.azimuth.kinds..", "io.azimuth.lro..", "io.azimuth.arm..", "io.azimuth.http..",
                "io.azimuth.store..", "io.azimuth.auth..").check(classes);
        // fault rules: the pipeline asks them, the store keeps them; they know no API family
        onlyUses("io.azimuth.faults..", "io.azimuth.http..", "io.azimuth.store..").check(classes);
        // metrics: told by the pipeline, the store and the operation engine; reads the blob store's counts
        onlyUses("io.azimuth.metrics..", "io.azimuth.http..", "io.azimuth.store..", "io.azimuth.blobs..")
                .check(classes);
        // the command-line tools (azimuth vhd): a client of the blob endpoints, sharing only the VHD footer's code
        onlyUses("io.azimuth.tools..", "io.azimuth.blobs..").check(classes);
        // the state archive: the store's rows and the embedded blob store's blobs
        onlyUses("io.azimuth.state..", "io.azimuth.http..", "io.azimuth.store..", "io.azimuth.blobs..").check(classes);
    }

    @Test
    void providersReachTheServerOnlyThroughThePlugInPoint() {
        noClasses().that().resideInAnyPackage("io.azimuth.resources..", "io.azimuth.compute..",
                        "io.azimuth.network..", "io.azimuth.classic..",
                        "io.azimuth.identity..", "io.azimuth.authorization..")
                .should().dependOnClassesThat(resideInAnyPackage("io.azimuth.server..")
                        .and(DescribedPredicate.not(belongToAnyOf(Platform.class, Provider.class, Config.class))))
                .check(classes);
        // the emulator's own endpoints serve the instance's certificate
        noClasses().that().resideInAPackage("io.azimuth.emulator..")
                .should().dependOnClassesThat(resideInAnyPackage("io.azimuth.server..")
                        .and(DescribedPredicate.not(belongToAnyOf(Platform.class, Provider.class, Config.class,
                                TlsMaterial.class))))
                .check(classes);
    }

    @Test
    void providersAreIndependentButForTheirDeclaredHooks() {
        String[] providers = {"io.azimuth.resources..", "io.azimuth.compute..", "io.azimuth.network..",
                "io.azimuth.classic..", "io.azimuth.emulator..", "io.azimuth.identity..", "io.azimuth.authorization.."};
        for (String provider : providers) {
            String[] others = java.util.Arrays.stream(providers).filter(p -> !p.equals(provider))
                    .toArray(String[]::new);
            noClasses().that().resideInAPackage(provider).should().dependOnClassesThat(resideInAnyPackage(others))
                    .because("a provider package is one package: it reaches others only through shared mechanisms")
                    .check(classes);
        }
        // within Microsoft.Compute: images read disks' documents; VMs read disks and images, and supply images made
        // from VMs through the images provider's hook
        noClasses().that().resideInAPackage("io.azimuth.compute.disks..")
                .should().dependOnClassesThat(resideInAnyPackage("io.azimuth.compute.images..", "io.azimuth.compute.vms.."))
                .check(classes);
        noClasses().that().resideInAPackage("io.azimuth.compute.images..")
                .should().dependOnClassesThat(resideInAnyPackage("io.azimuth.compute.vms..")
                        .or(resideInAnyPackage("io.azimuth.compute.disks..")
                                .and(DescribedPredicate.not(belongToAnyOf(DiskDocuments.class)))))
                .check(classes);
        noClasses().that().resideInAPackage("io.azimuth.compute.vms..")
                .should().dependOnClassesThat(resideInAnyPackage("io.azimuth.compute.disks..", "io.azimuth.compute.images..",
                                "io.azimuth.compute.galleries..")
                        .and(DescribedPredicate.not(belongToAnyOf(DiskDocuments.class, DiskAccess.class,
                                ImageDocuments.class, ImagesProvider.class, VirtualMachineSource.class,
                                GalleryDocuments.class, GalleriesProvider.class, GalleryVmSource.class))))
                .check(classes);
        // the gallery reads disks' and images' documents, and VMs through its hook
        noClasses().that().resideInAPackage("io.azimuth.compute.galleries..")
                .should().dependOnClassesThat(resideInAnyPackage("io.azimuth.compute.vms..")
                        .or(resideInAnyPackage("io.azimuth.compute.disks..", "io.azimuth.compute.images..")
                                .and(DescribedPredicate.not(belongToAnyOf(DiskDocuments.class,
                                        ImageDocuments.class)))))
                .check(classes);
        noClasses().that().resideInAnyPackage("io.azimuth.compute.disks..", "io.azimuth.compute.images..")
                .should().dependOnClassesThat(resideInAnyPackage("io.azimuth.compute.galleries.."))
                .check(classes);
        // the shared compute classes (ManagedContent, StagedBlobs, the vocabulary) know no resource type's package
        noClasses().that().resideInAPackage("io.azimuth.compute")
                .should().dependOnClassesThat(resideInAnyPackage("io.azimuth.compute.disks..",
                        "io.azimuth.compute.images..", "io.azimuth.compute.vms..", "io.azimuth.compute.galleries.."))
                .check(classes);
    }

    @Test
    void onlyTheAssemblyKnowsEveryProvider() {
        classes().that().resideInAnyPackage("io.azimuth.kinds..", "io.azimuth.lro..", "io.azimuth.arm..",
                        "io.azimuth.auth..")
                .should().onlyDependOnClassesThat(resideOutsideOfPackage("io.azimuth.server..")
                        .and(DescribedPredicate.not(resideInAnyPackage("io.azimuth.resources..", "io.azimuth.compute..",
                                "io.azimuth.network..", "io.azimuth.classic..", "io.azimuth.emulator..",
                                "io.azimuth.identity..", "io.azimuth.authorization.."))))
                .check(classes);
    }
}
