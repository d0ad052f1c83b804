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
import io.modelpilot.operator.api.v1alpha1.TrafficMode;
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
    remember(md, started);
    md.getStatus().getCanary().setNotReadySince(T0.toString());
    RolloutPlan held = rollout.plan(md, stable, null, 0, revision(md), T0.plus(Duration.ofHours(1)));
    assertThat(held.canary().getPhase()).isEqualTo(CanaryPhase.PROGRESSING);
    assertThat(held.canary().getNotReadySince()).isNull();
    assertThat(held.canary().getMessage()).contains("0 replicas");
    assertThat(held.failure()).isNull();
    assertThat(held.tracks().canaryReplicas()).isZero();
  }

  @Test
  void withARouteStableKeepsEveryPodAndTheCanaryGetsTheStepsWeightOnlyOnceItsPodsAreReady() {
    ModelDeployment md = model("v2", step(10, "1m"));
    Deployment stable = stableOn("v1");
    RolloutPlan starting = rollout.plan(md, stable, null, 4, revision(md), true, T0);
    assertThat(starting.tracks()).as("stable at full size, the canary's 10%% beside it")
        .isEqualTo(new Tracks(4, stable.getSpec().getTemplate(), 1));
    assertThat(starting.traffic()).as("no canary pod ready: no request to it")
        .isEqualTo(new Traffic(TrafficMode.HTTP_ROUTE, 0));
    assertThat(starting.canary().getTraffic()).isEqualTo(TrafficMode.HTTP_ROUTE);
    assertThat(starting.canary().getWeight()).isEqualTo(10);
    assertThat(starting.canary().getEffectiveWeight()).isZero();

    remember(md, starting);
    RolloutPlan ready = rollout.plan(md, stable, canaryOn(md, 1, 1), 4, revision(md), true, T0.plusSeconds(2));
    assertThat(ready.traffic()).isEqualTo(new Traffic(TrafficMode.HTTP_ROUTE, 10));
    assertThat(ready.traffic().stableWeight()).isEqualTo(90);
    assertThat(ready.canary().getEffectiveWeight()).as("the route's weight, not 1 pod of 5").isEqualTo(10);
    assertThat(ready.tracks().stableReplicas()).isEqualTo(4);
  }

  @Test
  void withoutARouteTheTrafficIsThePodsRatio() {
    ModelDeployment md = model("v2", step(10, "1m"));
    RolloutPlan plan = rollout.plan(md, stableOn("v1"), null, 4, revision(md), false, T0);
    assertThat(plan.traffic()).isEqualTo(Traffic.podRatio());
    assertThat(plan.canary().getTraffic()).isEqualTo(TrafficMode.POD_RATIO);
  }

  @Test
  void aFullWeightStepWithARouteSendsEveryRequestToTheCanaryAndKeepsStableAtFullSize() {
    ModelDeployment md = model("v2", step(100, "1m"));
    Deployment stable = stableOn("v1");
    RolloutPlan first = rollout.plan(md, stable, null, 3, revision(md), true, T0);
    remember(md, first);
    RolloutPlan plan = rollout.plan(md, stable, canaryOn(md, 3, 3), 3, revision(md), true, T0.plusSeconds(2));
    assertThat(plan.tracks().stableReplicas()).isEqualTo(3);
    assertThat(plan.tracks().canaryReplicas()).isEqualTo(3);
    assertThat(plan.traffic().canaryWeight()).isEqualTo(100);
  }

  @Test
  void aRouteKeepsTheWeightItHadWhileTheNextStepsPodsStart() {
    assertThat(Traffic.routeWeight(50, 0, false, 10)).as("no pod ready").isZero();
    assertThat(Traffic.routeWeight(50, 1, false, 10)).as("1 of 2 ready: the previous step's weight").isEqualTo(10);
    assertThat(Traffic.routeWeight(50, 2, true, 10)).as("all ready").isEqualTo(50);
    assertThat(Traffic.routeWeight(10, 1, false, 50)).as("a smaller step applies at once").isEqualTo(10);
  }

  @Test
  void aCanaryScalingUpForItsNextStepKeepsItsWeightUntilTheNewPodsAreReady() {
    ModelDeployment md = model("v2", step(25, "1m"));
    Deployment stable = stableOn("v1");
    remember(md, rollout.plan(md, stable, null, 4, revision(md), true, T0));
    RolloutPlan ready = rollout.plan(md, stable, canaryOn(md, 1, 1), 4, revision(md), true, T0.plusSeconds(2));
    assertThat(ready.traffic().canaryWeight()).isEqualTo(25);
    remember(md, ready);

    // the next step asks for 2 pods; the Deployment has not observed its new count yet
    md.getSpec().getRollout().setSteps(List.of(step(50, "1m")));
    Deployment catchingUp = canaryOn(md, 2, 1);
    catchingUp.getMetadata().setGeneration(2L);
    RolloutPlan scaling = rollout.plan(md, stable, catchingUp, 4, revision(md), true, T0.plusSeconds(4));
    assertThat(scaling.tracks().canaryReplicas()).isEqualTo(2);
    assertThat(scaling.traffic().canaryWeight()).as("held, not dropped to 0, while 1 ready pod serves").isEqualTo(25);
  }

  @Test
  void anAbortedOrPromotedCanaryLeavesTheRouteAtAllStableAndAnAbortedOneDrainsFirst() {
    ModelDeployment md = model("v2", step(50, "1m"));
    Deployment stable = stableOn("v1");
    RolloutPlan first = rollout.plan(md, stable, null, 2, revision(md), true, T0);
    remember(md, first);
    Deployment canary = canaryOn(md, 1, 1);
    RolloutPlan serving = rollout.plan(md, stable, canary, 2, revision(md), true, T0.plusSeconds(2));
    assertThat(serving.traffic().canaryWeight()).isEqualTo(50);
    remember(md, serving);
    md.getMetadata().setAnnotations(java.util.Map.of(CanaryRollout.ANNOTATION_ABORT, revision(md)));
    RolloutPlan aborted = rollout.plan(md, stable, canary, 2, revision(md), true, T0.plusSeconds(4));
    assertThat(aborted.canary().getPhase()).isEqualTo(CanaryPhase.ABORTED);
    assertThat(aborted.traffic()).isEqualTo(new Traffic(TrafficMode.HTTP_ROUTE, 0));
    assertThat(aborted.canary().getEffectiveWeight()).isZero();
    assertThat(aborted.tracks().stableReplicas()).isEqualTo(2);
    assertThat(aborted.tracks().canaryReplicas()).as("kept while the route stops sending to them").isEqualTo(1);
    assertThat(aborted.recheckIn()).isEqualTo(CanaryRollout.TICK);
    remember(md, aborted);
    RolloutPlan after = rollout.plan(md, stable, canary, 2, revision(md), true, T0.plusSeconds(6));
    assertThat(after.tracks().canaryReplicas()).as("then they go").isZero();
    assertThat(after.traffic().canaryWeight()).isZero();
    remember(md, serving);

    md.getMetadata().setAnnotations(java.util.Map.of(CanaryRollout.ANNOTATION_PROMOTE, revision(md)));
    RolloutPlan promoted = rollout.plan(md, stable, canary, 2, revision(md), true, T0.plusSeconds(4));
    assertThat(promoted.canary().getPhase()).isEqualTo(CanaryPhase.PROMOTED);
    assertThat(promoted.traffic()).as("stable takes the new revision and every request")
        .isEqualTo(new Traffic(TrafficMode.HTTP_ROUTE, 0));
    assertThat(promoted.canary().getEffectiveWeight()).isZero();
  }

  /** The canary Deployment of md's revision, observed, with {@code ready} of {@code replicas} pods ready. */
  private Deployment canaryOn(ModelDeployment md, int replicas, int ready) {
    Deployment d = factory.canaryDeployment(md);
    d.getSpec().setReplicas(replicas);
    d.getMetadata().setGeneration(1L);
    d.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withReadyReplicas(ready)
        .withUpdatedReplicas(replicas).withObservedGeneration(1L).build());
    return d;
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

  /** What the reconciler keeps between two plans: the canary status of the last one, in a fresh status. */
  private static void remember(ModelDeployment md, RolloutPlan plan) {
    if (md.getStatus() == null) {
      md.setStatus(new ModelDeploymentStatus());
    }
    md.getStatus().setCanary(plan.canary());
  }
}
