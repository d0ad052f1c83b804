package io.modelpilot.operator.rollout;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.modelpilot.operator.api.v1alpha1.CanaryPhase;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentSpec;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus;
import io.modelpilot.operator.api.v1alpha1.ModelSource;
import io.modelpilot.operator.api.v1alpha1.RolloutSpec;
import io.modelpilot.operator.api.v1alpha1.RolloutStep;
import io.modelpilot.operator.deployment.RuntimeDeploymentFactory;
import io.modelpilot.operator.metrics.MetricsWindows;
import io.modelpilot.operator.metrics.QueryResult;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The rollout adapter over plain objects: how many pods each track gets, and what status.canary says. */
class CanaryRolloutTest {

  private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
  private final RuntimeDeploymentFactory factory = new RuntimeDeploymentFactory("img");
  private final CanaryRollout rollout = new CanaryRollout(url -> query -> new QueryResult.NoData(),
      URI.create("http://prometheus:9090"), new MetricsWindows(Duration.ofSeconds(1)), false);

  @Test
  void theEffectiveWeightIsTheCanarysShareOfThePods() {
    ModelDeployment md = model("v2", step(10, "1m"));
    RolloutPlan plan = rollout.plan(md, stableOn("v1"), null, 4, revision(md), T0);
    assertThat(plan.tracks().canaryReplicas()).isEqualTo(1);
    assertThat(plan.tracks().stableReplicas()).isEqualTo(3);
    assertThat(plan.canary().getWeight()).isEqualTo(10);
    assertThat(plan.canary().getEffectiveWeight()).as("1 of 4 pods").isEqualTo(25);
  }

  @Test
  void aFullWeightStepKeepsAStablePodToCompareWithAndToFallBackOn() {
    ModelDeployment md = model("v2", step(100, "1m"));
    RolloutPlan plan = rollout.plan(md, stableOn("v1"), null, 3, revision(md), T0);
    assertThat(plan.tracks().canaryReplicas()).isEqualTo(3);
    assertThat(plan.tracks().stableReplicas()).isEqualTo(1);
    assertThat(plan.canary().getEffectiveWeight()).isEqualTo(75);
  }

  @Test
  void withNoReplicasWantedTheNewRevisionWaitsInsteadOfTimingOut() {
    ModelDeployment md = model("v2", step(50, "1m"));
    Deployment stable = stableOn("v1");
    RolloutPlan idle = rollout.plan(md, stable, null, 0, revision(md), T0);
    assertThat(idle.tracks()).isEqualTo(new Tracks(0, stable.getSpec().getTemplate(), 0));
    assertThat(idle.canary()).as("no canary started").isNull();
    assertThat(idle.events()).isEmpty();
    assertThat(idle.stableRevision()).isEqualTo(CanaryRollout.revisionOf(stable));

    // a canary under way when the count drops to 0 is held, its readiness clock stopped, not rolled back
    RolloutPlan started = rollout.plan(md, stable, null, 2, revision(md), T0);
    md.setStatus(new ModelDeploymentStatus());
    md.getStatus().setCanary(started.canary());
    md.getStatus().getCanary().setNotReadySince(T0.toString());
    RolloutPlan held = rollout.plan(md, stable, null, 0, revision(md), T0.plus(Duration.ofHours(1)));
    assertThat(held.canary().getPhase()).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(held.canary().getNotReadySince()).isNull();
    assertThat(held.canary().getMessage()).contains("0 replicas");
    assertThat(held.failure()).isNull();
    assertThat(held.tracks().canaryReplicas()).isZero();
  }

  private Deployment stableOn(String version) {
    Deployment d = factory.deployment(model(version, step(50, "1m")));
    d.getMetadata().setGeneration(1L);
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    d.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withReadyReplicas(replicas)
        .withUpdatedReplicas(replicas).withObservedGeneration(1L).build());
    return d;
  }

  private String revision(ModelDeployment md) {
    return RuntimeDeploymentFactory.revisionOf(factory.podTemplate(md));
  }

  private static ModelDeployment model(String version, RolloutStep step) {
    ModelSource model = new ModelSource();
    model.setUri("file:///models/mlp.onnx");
    model.setVersion(version);
    RolloutSpec rollout = new RolloutSpec();
    rollout.setSteps(List.of(step));
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.setModel(model);
    spec.setRollout(rollout);
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName("m").withNamespace("ns").withUid("uid").withGeneration(1L)
        .build());
    md.setSpec(spec);
    return md;
  }

  private static RolloutStep step(int weight, String pause) {
    RolloutStep step = new RolloutStep();
    step.setWeight(weight);
    step.setPause(pause);
    return step;
  }
}
