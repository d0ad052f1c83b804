package io.modelpilot.e2e.scenario;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.modelpilot.e2e.cluster.LocalCluster;
import io.modelpilot.e2e.junit.LocalClusterExtension;
import io.modelpilot.e2e.load.LoadGenerator;
import io.modelpilot.e2e.process.OperatorProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.modelpilot.e2e.scenario.LocalClusterTest.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14: two operator replicas, as the chart runs them, elect a leader over a Lease. The leader is killed with
 * SIGKILL in the middle of a canary (it neither finishes its reconcile nor releases the Lease); the other replica
 * takes the Lease over once it has gone stale and finishes the canary from its status. Every step of the rollout
 * happens once: one start, one step, one promotion, each by the replica that led at the time.
 */
class LeaderKillScenarioTest {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = new LocalClusterExtension(b -> b.operatorReplicas(2));

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final String NS = "leader-kill";
  private static final String NAME = "scorer";
  private static final String MODEL = """
      apiVersion: modelpilot.io/v1alpha1
      kind: ModelDeployment
      metadata:
        name: scorer
      spec:
        model:
          uri: file:///models/mlp-classifier.onnx
          version: %s
        replicas: 2
        runtime:
          intraOpThreads: 1
        rollout:
          steps:
            - {weight: 25, pause: 4s}
            - {weight: 50, pause: 4s}
          progressDeadline: 2m
          analysis:
            interval: 4s
            failureLimit: 1
            minRequests: 20
            metrics:
              - {type: ErrorRate, max: 0.05}
      """;
  private static final String INFER = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],"
      + "\"data\":[0.5,-1.2,0.3,2.1,-0.7,1.4,0.0,-2.2]}]}";
  private static final List<String> ENDINGS = List.of("CanaryRolledBack", "CanaryAborted", "CanarySuperseded");

  @Test
  void theFollowerTakesOverFromAKilledLeaderMidCanaryAndEveryStepHappensOnce() {
    LocalCluster cluster = CLUSTER.cluster();
    OperatorProcess leader = await().atMost(TIMEOUT).until(cluster::leader, Optional::isPresent).orElseThrow();
    OperatorProcess follower = cluster.operators().stream().filter(o -> o != leader).findFirst().orElseThrow();
    int transitions = lease().getSpec().getLeaseTransitions();

    cluster.apply(MODEL.formatted("v1"), NS);
    String v1 = (String) await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(this::md,
        r -> r != null && "True".equals(condition(r, "Ready"))
            && "2/2".equals((Object) r.get("status", "replicaSummary")))
        .get("status", "revision");

    try (LoadGenerator load = LoadGenerator.to(cluster.serviceUrl(NS, NAME).resolve("/v2/models/" + NAME + "/infer"))
        .rate(40).body(() -> INFER).start()) {
      cluster.apply(MODEL.formatted("v2"), NS);
      // mid-canary: the first step passed and the second began, its state written (the Event goes out first)
      GenericKubernetesResource second = await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(this::md,
          r -> "1".equals(canary(r, "step")) && "Progressing".equals(canary(r, "phase")));
      String revision = canary(second, "revision");
      String startedAt = canary(second, "startedAt");
      assertThat(events("CanaryStep")).hasSize(1);
      assertThat(log(follower)).as("the follower acted while the leader led")
          .doesNotContain("CanaryStarted: ", "CanaryStep: ");

      leader.kill();
      assertThat(leader.isRunning()).isFalse();

      // nobody released the Lease: the follower takes it once it has gone unrenewed for its duration
      await().atMost(TIMEOUT).until(cluster::leaseHolder, h -> h.filter(follower::hasIdentity).isPresent());
      assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(transitions + 1);

      GenericKubernetesResource promoted = await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
          .until(this::md, r -> "Promoted".equals(canary(r, "phase")));
      // the same rollout, finished where it stood: not started over, not promoted twice
      assertThat(canary(promoted, "revision")).isEqualTo(revision);
      assertThat(canary(promoted, "startedAt")).isEqualTo(startedAt);
      assertThat(canary(promoted, "lastVerdict")).isEqualTo("Pass");
      assertThat(promoted.get("status", "revision").toString()).isEqualTo(revision).isNotEqualTo(v1);
      await().atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(deployment(NAME + "-canary")).isNull();
        Deployment stable = deployment(NAME);
        assertThat(stable.getSpec().getTemplate().getMetadata().getLabels())
            .containsEntry("modelpilot.io/revision", revision);
        assertThat(stable.getSpec().getReplicas()).isEqualTo(2);
      });
      assertThat(events("CanaryStarted")).hasSize(1);
      assertThat(events("CanaryStep")).hasSize(1);
      assertThat(events("CanaryPromoted")).singleElement().asString().contains("every step passed");
      assertThat(events("RevisionChanged")).hasSize(1);
      ENDINGS.forEach(reason -> assertThat(events(reason)).as(reason).isEmpty());
      // each by the replica that led at the time
      assertThat(log(leader)).contains("CanaryStarted: ", "CanaryStep: ").doesNotContain("CanaryPromoted: ");
      assertThat(log(follower)).contains("CanaryPromoted: ").doesNotContain("CanaryStarted: ", "CanaryStep: ");
      assertThat(load.stats().errors()).as("failed requests: %s", load.stats()).isZero();
    }
  }

  private GenericKubernetesResource md() {
    return CLUSTER.cluster().customResources("ModelDeployment").inNamespace(NS).withName(NAME).get();
  }

  private static Lease lease() {
    return CLUSTER.cluster().client().leases().inNamespace(LocalCluster.LEASE_NAMESPACE)
        .withName(LocalCluster.LEASE_NAME).get();
  }

  @SuppressWarnings("unchecked")
  private static String canary(GenericKubernetesResource r, String field) {
    Object canary = r == null ? null : r.get("status", "canary");
    Object value = canary instanceof Map<?, ?> map ? ((Map<String, Object>) map).get(field) : null;
    return value == null ? null : value.toString();
  }

  private static Deployment deployment(String name) {
    return CLUSTER.cluster().client().apps().deployments().inNamespace(NS).withName(name).get();
  }

  private static List<String> events(String reason) {
    return CLUSTER.cluster().client().v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> NAME.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .map(e -> e.getMessage()).toList();
  }

  private static String log(OperatorProcess operator) {
    try {
      return Files.readString(operator.log());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + operator.log(), e);
    }
  }
}
