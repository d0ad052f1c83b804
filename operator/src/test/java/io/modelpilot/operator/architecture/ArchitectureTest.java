package io.modelpilot.operator.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rooms of the operator (README, "Architecture"): each feature is a pure core that decides and one adapter that
 * gathers inputs and applies the decision. A core knows nothing of Kubernetes, the CRD classes, Prometheus or the
 * wall clock, so it is tested with plain values at fixed instants and a restart replays it exactly.
 */
class ArchitectureTest {

  static final String[] CORES = {"io.modelpilot.operator.autoscaling.core..", "io.modelpilot.operator.rollout.core..",
      "io.modelpilot.operator.search..", "io.modelpilot.operator.common.."};

  private static JavaClasses operator;

  @BeforeAll
  static void importOperator() {
    operator = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.modelpilot.operator");
  }

  static ArchRule pureCore(String... packages) {
    return noClasses().that().resideInAnyPackage(packages)
        .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.javaoperatorsdk..",
            "io.quarkiverse..", "io.quarkus..", "jakarta..", "org.jboss..", "io.micrometer..",
            "io.modelpilot.operator.api..", "io.modelpilot.operator.metrics..", "io.modelpilot.operator.status..",
            "io.modelpilot.operator.config..", "io.modelpilot.operator.deployment..", "io.modelpilot.operator.tuning..")
        .because("a core decides over plain values; its adapter talks to Kubernetes and Prometheus");
  }

  static ArchRule noClock(String... packages) {
    return noClasses().that().resideInAnyPackage(packages)
        .should().callMethod(Instant.class, "now")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(LocalDateTime.class, "now")
        .orShould().callMethod(LocalDate.class, "now")
        .orShould().callMethod(OffsetDateTime.class, "now")
        .orShould().callMethod(ZonedDateTime.class, "now")
        .orShould().dependOnClassesThat().areAssignableTo(Clock.class)
        .because("a core takes the instant it decides at as an argument");
  }

  @Test
  void coresImportNeitherKubernetesNorTheApiNorPrometheus() {
    pureCore(CORES).check(operator);
  }

  @Test
  void coresNeverReadTheClock() {
    noClock(CORES).check(operator);
  }

  @Test
  void theRulesCatchAnAdapter() {
    // the autoscaler's adapter reads fabric8 types and the API: checked as if it were a core, it must fail
    assertThat(pureCore("io.modelpilot.operator.autoscaling").evaluate(operator).hasViolation()).isTrue();
    assertThat(noClock("io.modelpilot.operator.deployment").evaluate(operator).hasViolation()).isTrue();
  }

  @Test
  void theApiDependsOnNoFeature() {
    noClasses().that().resideInAPackage("io.modelpilot.operator.api..")
        .should().dependOnClassesThat().resideInAnyPackage("io.modelpilot.operator.deployment..",
            "io.modelpilot.operator.rollout..", "io.modelpilot.operator.autoscaling..",
            "io.modelpilot.operator.tuning..", "io.modelpilot.operator.search..", "io.modelpilot.operator.metrics..",
            "io.modelpilot.operator.status..", "io.modelpilot.operator.config..")
        .because("the CRD classes are a versioned contract; features read them, never the other way round")
        .check(operator);
  }

  @Test
  void featuresDoNotImportEachOtherInCircles() {
    slices().matching("io.modelpilot.operator.(*)..").should().beFreeOfCycles().check(operator);
  }

  @Test
  void onlyTheReconcilersTalkToTheOperatorSdkReconcilerApi() {
    classes().that().implement("io.javaoperatorsdk.operator.api.reconciler.Reconciler")
        .should().haveSimpleNameEndingWith("Reconciler")
        .check(operator);
  }
}
