package io.modelpilot.e2e.scenario;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelpilot.e2e.cluster.KubeconfigCluster;
import io.modelpilot.e2e.cluster.ScenarioCluster;
import io.modelpilot.e2e.junit.ScenarioClusterExtension;
import io.modelpilot.e2e.load.LoadGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.modelpilot.e2e.scenario.Hold.holdFor;
import static io.modelpilot.e2e.scenario.LocalClusterTest.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Autoscaling proven end to end: real model servers, scraped every second by a real Prometheus, a
 * fixed-rate load through the Service, and the operator process deciding from PromQL. On the local cluster
 * by default; on a real one (Kind) when {@code MODELPILOT_E2E_KUBECONFIG} is set ({@link KubeconfigCluster},
 * e2e/kind/run.sh): the assertions go through {@link ScenarioCluster} only.
 *
 * <p>The ModelDeployments here use short intervals (2 s evaluation, 10 s rate window, 10 s scale-down
 * stabilization) so each scenario takes about a minute; the algorithm is the one the unit tests of
 * the scaling core cover at production settings.
 */
class AutoscalingScenarioTest {

  @RegisterExtension
  static final ScenarioClusterExtension CLUSTER = new ScenarioClusterExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  /** 8 requests/s per replica, 1..3 replicas. */
  private static final String MODEL = """
      apiVersion: modelpilot.io/v1alpha1
      kind: ModelDeployment
      metadata:
        name: %s
      spec:
        model:
          uri: file:///models/mlp-classifier.onnx
          version: v1
        runtime:
          intraOpThreads: 1
        autoscaling:
          minReplicas: 1
          maxReplicas: 3
          interval: 2s
          window: 10s
          metrics:
            - type: RequestsPerSecond
              targetPerReplica: 8
          behavior:
            scaleDown:
              stabilizationWindow: 10s
      """;

  @Test
  void risingLoadScalesUpToTheMaximumAndFallingLoadScalesBackAfterTheWindow() {
    ScenarioCluster cluster = CLUSTER.cluster();
    String ns = "rising";
    cluster.apply(MODEL.formatted("scorer"), ns);
    awaitReplicas(ns, "scorer", 1);
    ReadyWatch ready = ReadyWatch.start(cluster, ns, "scorer");

    try (LoadGenerator load = load(cluster, ns, "scorer", 4)) {
      // 4 requests/s against 8 per replica: one replica is enough, and stays so
      await().atMost(TIMEOUT).until(() -> measured(cluster, ns, "scorer") > 2);
      holdFor(Duration.ofSeconds(8), () -> assertThat(deploymentReplicas(ns, "scorer")).isEqualTo(1));

      load.setRate(12); // 12/s: ceil(1 × 12 / 8) = 2
      awaitReplicas(ns, "scorer", 2);
      load.setRate(30); // 15/s per replica on 2: ceil(2 × 15 / 8) = 4, bounded to the maximum 3
      awaitReplicas(ns, "scorer", 3);
      holdFor(Duration.ofSeconds(6), () -> assertThat(deploymentReplicas(ns, "scorer")).isEqualTo(3));
      Instant loadStopped = Instant.now();
      load.setRate(0);
      await().atMost(TIMEOUT).until(() -> deploymentReplicas(ns, "scorer") == 1);
      // nothing scales down before the load left the 10 s rate window and then the 10 s stabilization window
      assertThat(Duration.between(loadStopped, Instant.now())).isGreaterThan(Duration.ofSeconds(10));
      LoadGenerator.Stats stats = load.stats();
      assertThat(stats.errors()).as("requests failed while scaling: %s", stats).isZero();
    } finally {
      ready.stop();
    }

    awaitPods(ns, "scorer", 1);
    GenericKubernetesResource md = md(ns, "scorer");
    assertThat(md.get("status", "autoscaling", "desiredReplicas").toString()).isEqualTo("1");
    assertThat((String) md.get("status", "autoscaling", "lastScaleTime")).isNotBlank();
    assertThat(condition(md, "ScalingActive")).isEqualTo("True");
    List<String> scaled = events(ns, "scorer", "Scaled");
    assertThat(scaled).anyMatch(m -> m.startsWith("scaled 1→2: requests/s per replica"));
    assertThat(scaled).anyMatch(m -> m.startsWith("scaled 2→3: requests/s per replica"));
    assertThat(scaled).anyMatch(m -> m.matches("scaled [23]→1: .*"));
    assertThat(ready.seen()).as("Ready while serving and scaling").containsExactly("True");
    assertThat(warnings(ns, "scorer")).as("Warning Events of a healthy scale up and down").isEmpty();

    cluster.customResources("ModelDeployment").inNamespace(ns).withName("scorer").delete();
    awaitNoProcesses(ns, "scorer");
  }

  @Test
  void holdsReplicasWhilePrometheusIsDownAndResumesWhenItReturns() {
    ScenarioCluster cluster = CLUSTER.cluster();
    String ns = "blackout";
    cluster.apply(MODEL.formatted("scorer"), ns);
    awaitReplicas(ns, "scorer", 1);
    try (LoadGenerator load = load(cluster, ns, "scorer", 20)) {
      awaitReplicas(ns, "scorer", 3);
      awaitPods(ns, "scorer", 3);
      // a fresh pod's missing series while Prometheus first scrapes it is warm-up, not an outage
      assertThat(events(ns, "scorer", "MetricsUnavailable")).isEmpty();

      cluster.prometheus().stop();
      load.setRate(0);
      await().atMost(TIMEOUT).until(() -> "False".equals(condition(md(ns, "scorer"), "ScalingActive")));
      assertThat(conditionReason(md(ns, "scorer"), "ScalingActive")).isEqualTo("MetricsUnavailable");
      // no load, and no data: three times the scale-down window passes with every replica kept
      holdFor(Duration.ofSeconds(30), () -> {
        assertThat(deploymentReplicas(ns, "scorer")).isEqualTo(3);
        assertThat(md(ns, "scorer").get("status", "autoscaling", "desiredReplicas").toString()).isEqualTo("3");
      });
      assertThat(events(ns, "scorer", "MetricsUnavailable")).isNotEmpty();

      cluster.prometheus().start();
      await().atMost(TIMEOUT).until(() -> deploymentReplicas(ns, "scorer") == 1);
      await().atMost(TIMEOUT).until(() -> "True".equals(condition(md(ns, "scorer"), "ScalingActive")));
      assertThat(load.stats().errors()).isZero();
    }
    cluster.customResources("ModelDeployment").inNamespace(ns).withName("scorer").delete();
    awaitNoProcesses(ns, "scorer");
  }

  @Test
  void twoModelDeploymentsOfOneNameInTwoNamespacesScaleIndependently() {
    ScenarioCluster cluster = CLUSTER.cluster();
    cluster.apply(MODEL.formatted("twin"), "team-busy");
    cluster.apply(MODEL.formatted("twin"), "team-quiet");
    awaitReplicas("team-busy", "twin", 1);
    awaitReplicas("team-quiet", "twin", 1);
    List<ScenarioCluster.ScenarioPod> quietPods = running("team-quiet", "twin");

    try (LoadGenerator busy = load(cluster, "team-busy", "twin", 20);
         LoadGenerator quiet = load(cluster, "team-quiet", "twin", 2)) {
      await().atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(deploymentReplicas("team-busy", "twin")).isEqualTo(3);
        assertThat(deploymentReplicas("team-quiet", "twin")).isEqualTo(1);
      });
      holdFor(Duration.ofSeconds(6), () -> assertThat(deploymentReplicas("team-quiet", "twin")).isEqualTo(1));
      assertThat(events("team-quiet", "twin", "Scaled")).isEmpty();
      assertThat(running("team-quiet", "twin")).extracting(ScenarioCluster.ScenarioPod::name)
          .containsExactlyElementsOf(quietPods.stream().map(ScenarioCluster.ScenarioPod::name).toList());
      assertThat(busy.stats().errors() + quiet.stats().errors()).isZero();
    }

    List<ScenarioCluster.ScenarioPod> busyPods = running("team-busy", "twin");
    assertThat(busyPods).isNotEmpty();
    cluster.customResources("ModelDeployment").inNamespace("team-busy").withName("twin").delete();
    awaitNoProcesses("team-busy", "twin");
    assertThat(busyPods).allSatisfy(p -> assertThat(cluster.stillRunning(p)).as(p.name()).isFalse());
    // the other namespace's twin is untouched by the deletion
    assertThat(running("team-quiet", "twin")).hasSize(1)
        .allSatisfy(p -> assertThat(cluster.stillRunning(p)).as(p.name()).isTrue());
    cluster.customResources("ModelDeployment").inNamespace("team-quiet").withName("twin").delete();
    awaitNoProcesses("team-quiet", "twin");
  }

  // ------------------------------------------------------------------------------------------ helpers

  private static LoadGenerator load(ScenarioCluster cluster, String ns, String name, double rate) {
    URI infer = URI.create(cluster.serviceUrl(ns, name) + "/v2/models/" + name + "/infer");
    Random random = new Random(ns.hashCode());
    return LoadGenerator.to(infer).rate(rate).body(() -> "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\","
        + "\"shape\":[1,8],\"data\":" + random.doubles(8).boxed().toList() + "}]}").start();
  }

  /** Requests/s that Prometheus sees for the ModelDeployment (0 until scraped). */
  private static double measured(ScenarioCluster cluster, String ns, String name) {
    return cluster.prometheus().queryValue("sum(rate(modelpilot_requests_total{namespace=\"" + ns
        + "\",modelpilot_io_deployment=\"" + name + "\"}[10s]))").orElse(0);
  }

  private static GenericKubernetesResource md(String ns, String name) {
    return CLUSTER.cluster().customResources("ModelDeployment").inNamespace(ns).withName(name).get();
  }

  private static int deploymentReplicas(String ns, String name) {
    Deployment d = CLUSTER.cluster().client().apps().deployments().inNamespace(ns).withName(name).get();
    return d == null || d.getSpec().getReplicas() == null ? -1 : d.getSpec().getReplicas();
  }

  private static void awaitReplicas(String ns, String name, int replicas) {
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      assertThat(deploymentReplicas(ns, name)).isEqualTo(replicas);
      assertThat((String) md(ns, name).get("status", "replicaSummary")).isEqualTo(replicas + "/" + replicas);
    });
  }

  private static void awaitPods(String ns, String name, int count) {
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(running(ns, name)).hasSize(count)
        .allSatisfy(p -> assertThat(p.ready()).isTrue()));
  }

  private static List<ScenarioCluster.ScenarioPod> running(String ns, String name) {
    return CLUSTER.cluster().pods(ns, name).stream().filter(p -> !p.terminating()).toList();
  }

  /** The pods go, and nothing of them runs any more (on the local cluster: their processes have exited). */
  private static void awaitNoProcesses(String ns, String name) {
    List<ScenarioCluster.ScenarioPod> before = CLUSTER.cluster().pods(ns, name);
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(CLUSTER.cluster().pods(ns, name)).isEmpty();
      for (ScenarioCluster.ScenarioPod p : before) {
        assertThat(CLUSTER.cluster().stillRunning(p)).as("%s still running", p.name()).isFalse();
      }
      assertThat(CLUSTER.cluster().client().apps().deployments().inNamespace(ns).withName(name).get()).isNull();
    });
  }

  private static List<String> events(String ns, String name, String reason) {
    return CLUSTER.cluster().client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .sorted(Comparator.comparing(e -> String.valueOf(e.getLastTimestamp())))
        .map(Event::getMessage).toList();
  }

  private static List<String> warnings(String ns, String name) {
    return CLUSTER.cluster().client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()) && "Warning".equals(e.getType()))
        .map(e -> e.getReason() + ": " + e.getMessage()).toList();
  }

  @SuppressWarnings("unchecked")
  private static String conditionReason(GenericKubernetesResource r, String type) {
    return ((List<Map<String, Object>>) r.get("status", "conditions")).stream()
        .filter(c -> type.equals(c.get("type"))).map(c -> (String) c.get("reason")).findFirst().orElse(null);
  }

  /** Samples the Ready condition every 200 ms in the background. */
  private static final class ReadyWatch {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ConcurrentLinkedQueue<String> values = new ConcurrentLinkedQueue<>();

    static ReadyWatch start(ScenarioCluster cluster, String ns, String name) {
      ReadyWatch watch = new ReadyWatch();
      watch.timer.scheduleAtFixedRate(() -> {
        try {
          GenericKubernetesResource r = md(ns, name);
          if (r != null) {
            watch.values.add(String.valueOf(condition(r, "Ready")));
          }
        } catch (RuntimeException ignored) {
          // a failed read is no sample
        }
      }, 0, 200, TimeUnit.MILLISECONDS);
      return watch;
    }

    Set<String> seen() {
      return new TreeSet<>(new ArrayList<>(values));
    }

    void stop() {
      timer.shutdownNow();
    }
  }
}
