package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.modelpilot.operator.api.v1alpha1.AnalysisSpec;
import io.modelpilot.operator.api.v1alpha1.AutoscalingSpec;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.RolloutSpec;
import io.modelpilot.operator.metrics.MetricsWindows;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.operator.status.Reasons;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StatusCalculatorTest {

  private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
  private static final String ENDPOINT = "http://fraud-detector.ml.svc.cluster.local:8080/v2/models/fraud-detector";
  private final RuntimeDeploymentFactory factory = new RuntimeDeploymentFactory("img");

  private Deployment deployment(ModelDeployment md, int replicas, int ready, int updated, long observed) {
    Deployment d = factory.deployment(md);
    d.getMetadata().setGeneration(1L);
    return new DeploymentBuilder(d).withNewStatus().withReplicas(replicas).withReadyReplicas(ready)
        .withUpdatedReplicas(updated).withAvailableReplicas(ready).withObservedGeneration(observed).endStatus().build();
  }

  private String revision(ModelDeployment md) {
    return RuntimeDeploymentFactory.revisionOf(factory.podTemplate(md));
  }

  private static Condition condition(ModelDeploymentStatus s, String type) {
    return Conditions.find(s.getConditions(), type).orElseThrow();
  }

  @Test
  void windowsShorterThanFourScrapesAreRaisedAndTheConditionNamesEachField() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel();
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setMaxReplicas(4);
    autoscaling.setWindow("1m");
    md.getSpec().setAutoscaling(autoscaling);
    RolloutSpec rollout = new RolloutSpec();
    AnalysisSpec analysis = new AnalysisSpec();
    analysis.setInterval("30s");
    rollout.setAnalysis(analysis);
    md.getSpec().setRollout(rollout);
    ModelDeploymentStatus s = StatusCalculator.compute(md, null, List.of(), revision(md), ENDPOINT, T0);

    // Prometheus's own default scrape interval: both windows hold too few samples
    StatusCalculator.withMetricsWindows(md, s, new MetricsWindows(Duration.ofMinutes(1)), T0);
    Condition adjusted = condition(s, "MetricsWindowAdjusted");
    assertThat(adjusted.getStatus()).isEqualTo("True");
    assertThat(adjusted.getReason()).isEqualTo("WindowBelowScrapeInterval");
    assertThat(adjusted.getMessage()).contains("4 scrape intervals of 1m")
        .contains("spec.rollout.analysis.interval 30s: canary analyses run every 4m over the last 4m")
        .contains("spec.autoscaling.window 1m: rates and quantiles are read over 4m");

    // a 15s scrape: the autoscaling window holds 4 scrapes, the analysis interval does not
    StatusCalculator.withMetricsWindows(md, s, new MetricsWindows(Duration.ofSeconds(15)), T0);
    assertThat(condition(s, "MetricsWindowAdjusted").getMessage()).contains("spec.rollout.analysis.interval")
        .doesNotContain("spec.autoscaling.window");

    // long enough everywhere: no condition at all
    StatusCalculator.withMetricsWindows(md, s, new MetricsWindows(Duration.ofSeconds(5)), T0);
    assertThat(Conditions.find(s.getConditions(), "MetricsWindowAdjusted")).isEmpty();
  }

  @Test
  void noDeploymentYetIsNotReadyAndProgressing() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel();

    ModelDeploymentStatus s = StatusCalculator.compute(md, null, List.of(), revision(md), ENDPOINT, T0);

    assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Ready").getReason()).isEqualTo(Reasons.DEPLOYING);
    assertThat(condition(s, "Progressing").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
    assertThat(s.getObservedGeneration()).isEqualTo(1L);
    assertThat(s.getReplicaSummary()).isEqualTo("0/2");
    assertThat(s.getEndpoint()).isEqualTo(ENDPOINT);
    assertThat(condition(s, "Ready").getObservedGeneration()).isEqualTo(1L);
  }

  @Test
  void allReplicasOfTheCurrentRevisionReadyIsReadyAndDoneProgressing() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel();

    ModelDeploymentStatus s = StatusCalculator.compute(md, deployment(md, 2, 2, 2, 1), List.of(), revision(md),
        ENDPOINT, T0);

    assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Ready").getReason()).isEqualTo(Reasons.AVAILABLE);
    assertThat(condition(s, "Progressing").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Progressing").getReason()).isEqualTo(Reasons.ROLLOUT_COMPLETE);
    assertThat(s.getReadyReplicas()).isEqualTo(2);
    assertThat(s.getReplicaSummary()).isEqualTo("2/2");
    assertThat(s.getRevision()).isEqualTo(revision(md));
  }

  @Test
  void aDeploymentThatHasNotObservedItsNewSpecIsStillProgressing() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel();

    ModelDeploymentStatus s = StatusCalculator.compute(md, deployment(md, 2, 2, 2, 0), List.of(), revision(md),
        ENDPOINT, T0);

    assertThat(condition(s, "Progressing").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("True");
  }

  @Test
  void progressDeadlineExceededIsDegraded() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel();
    Deployment stuck = new DeploymentBuilder(deployment(md, 2, 0, 2, 1)).editStatus()
        .withConditions(new DeploymentConditionBuilder().withType("Progressing").withStatus("False")
            .withReason("ProgressDeadlineExceeded").withMessage("ReplicaSet \"x\" has timed out progressing.").build())
        .endStatus().build();

    ModelDeploymentStatus s = StatusCalculator.compute(md, stuck, List.of(), revision(md), ENDPOINT, T0);

    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("True");
    assertThat(condition(s, "Degraded").getReason()).isEqualTo(Reasons.PROGRESS_DEADLINE_EXCEEDED);
    assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Progressing").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Ready").getMessage()).contains("timed out progressing");
  }

  @Test
  void aMissingReferenceIsReportedWithItsField() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel();
    var problem = new ReferenceProblem(Reasons.CREDENTIALS_SECRET_NOT_FOUND, "spec.model.credentialsSecretRef.name",
        "spec.model.credentialsSecretRef.name: Secret \"token\" not found in namespace \"ml\"");

    ModelDeploymentStatus s = StatusCalculator.compute(md, null, List.of(problem), revision(md), ENDPOINT, T0);

    assertThat(condition(s, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Ready").getReason()).isEqualTo("CredentialsSecretNotFound");
    assertThat(condition(s, "Ready").getMessage()).contains("spec.model.credentialsSecretRef.name");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("True");
  }

  @Test
  void zeroReplicasIsNotReadyButNotDegraded() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel();
    md.getSpec().setReplicas(0);

    ModelDeploymentStatus s = StatusCalculator.compute(md, deployment(md, 0, 0, 0, 1), List.of(), revision(md),
        ENDPOINT, T0);

    assertThat(condition(s, "Ready").getReason()).isEqualTo(Reasons.NO_REPLICAS);
    assertThat(condition(s, "Progressing").getStatus()).isEqualTo("False");
    assertThat(condition(s, "Degraded").getStatus()).isEqualTo("False");
  }

  @Test
  void sameInputsGiveAnEqualStatusSoNothingIsWritten() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel();
    Deployment d = deployment(md, 2, 2, 2, 1);
    md.setStatus(StatusCalculator.compute(md, d, List.of(), revision(md), ENDPOINT, T0));

    ModelDeploymentStatus later = StatusCalculator.compute(md, d, List.of(), revision(md), ENDPOINT,
        T0.plusSeconds(3600));

    assertThat(later).isEqualTo(md.getStatus());
  }

  @Test
  void lastTransitionTimeMovesOnlyWhenTheConditionFlips() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel();
    md.setStatus(StatusCalculator.compute(md, deployment(md, 2, 1, 2, 1), List.of(), revision(md), ENDPOINT, T0));
    ModelDeploymentStatus stillDeploying = StatusCalculator.compute(md, deployment(md, 2, 1, 2, 1), List.of(),
        revision(md), ENDPOINT, T0.plusSeconds(10));
    ModelDeploymentStatus ready = StatusCalculator.compute(md, deployment(md, 2, 2, 2, 1), List.of(), revision(md),
        ENDPOINT, T0.plusSeconds(20));

    assertThat(condition(stillDeploying, "Ready").getLastTransitionTime()).isEqualTo("2026-11-28T10:00:00Z");
    assertThat(condition(ready, "Ready").getLastTransitionTime()).isEqualTo("2026-11-28T10:00:20Z");
  }

  @Test
  void aServingModelStaysReadyWhileItScalesUpAndIsNotReadyWithoutPods() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel();
    md.setStatus(StatusCalculator.compute(md, deployment(md, 2, 2, 2, 1), List.of(), revision(md), ENDPOINT, T0));
    assertThat(condition(md.getStatus(), "Ready").getStatus()).isEqualTo("True");

    ModelDeploymentStatus scalingUp = StatusCalculator.compute(md, deployment(md, 4, 2, 4, 1), List.of(), revision(md),
        ENDPOINT, 4, T0.plusSeconds(10));
    assertThat(condition(scalingUp, "Ready").getStatus()).isEqualTo("True");
    assertThat(condition(scalingUp, "Ready").getReason()).isEqualTo(Reasons.AVAILABLE);
    assertThat(condition(scalingUp, "Ready").getMessage()).isEqualTo("2/4 replicas ready; scaling up");
    assertThat(condition(scalingUp, "Ready").getLastTransitionTime()).isEqualTo("2026-11-28T10:00:00Z");
    assertThat(condition(scalingUp, "Progressing").getStatus()).isEqualTo("True");
    assertThat(scalingUp.getReplicaSummary()).isEqualTo("2/4");

    md.setStatus(scalingUp);
    ModelDeploymentStatus noPod = StatusCalculator.compute(md, deployment(md, 4, 0, 4, 1), List.of(), revision(md),
        ENDPOINT, 4, T0.plusSeconds(20));
    assertThat(condition(noPod, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(noPod, "Ready").getReason()).isEqualTo(Reasons.DEPLOYING);
  }
}
