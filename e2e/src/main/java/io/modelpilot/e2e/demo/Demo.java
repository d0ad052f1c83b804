package io.modelpilot.e2e.demo;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelpilot.e2e.cluster.Kubelet;
import io.modelpilot.e2e.cluster.LocalCluster;
import io.modelpilot.e2e.load.LoadGenerator;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;

/**
 * {@code make demo}: the local cluster, one autoscaled ModelDeployment under rising then falling load while a slower
 * model ships as a canary, then a TuningJob that finds faster runtime settings for a second one and ships them as a
 * canary ({@link TuningPhase}), with a narration of what Prometheus measures and what the operator decides.
 * {@code DEMO_SECONDS} bounds the whole run (default 240, of which the tuning part may take the last
 * {@value TuningPhase#SECONDS}); the last line is the summary {@code DEMO scaled_up=… tuning_trials=… …}. Exits 1
 * when the run showed no scale-up, scale-down or canary rollback, or no tuning trial or shipped outcome.
 */
public final class Demo {

  static final String NS = "demo";
  private static final String NAME = "fraud-demo";
  private static final int MIN_SECONDS = 60 + TuningPhase.SECONDS;

  private final Narrator narrator = new Narrator();
  private final long begin = System.nanoTime();
  /** When the scaling and canary part must end, leaving the tuning part its time. */
  private final long deadline;
  private final long tuningDeadline;
  private int scaledUp;
  private int scaledDown;
  private int maxReplicas;
  private int canaryRolledBack;
  private int canaryPromoted;

  private Demo(int seconds) {
    this.tuningDeadline = begin + Duration.ofSeconds(seconds).toNanos();
    this.deadline = tuningDeadline - Duration.ofSeconds(TuningPhase.SECONDS).toNanos();
  }

  public static void main(String[] args) throws Exception {
    int seconds = seconds(System.getenv().getOrDefault("DEMO_SECONDS", "240"));
    System.exit(new Demo(seconds).run(seconds));
  }

  private static int seconds(String value) {
    try {
      int s = Integer.parseInt(value.trim());
      if (s >= MIN_SECONDS) {
        return s;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    System.err.println("DEMO_SECONDS must be a whole number of seconds, " + MIN_SECONDS + " or more (a scale-up and "
        + "a scale-down need about a minute after the cluster is up, the tuning part " + TuningPhase.SECONDS
        + " s); got '" + value + "'");
    System.exit(2);
    return 0;
  }

  private int run(int seconds) throws Exception {
    narrator.say("starting the local cluster: mock API server with the CRDs, the operator, a real Prometheus, a "
        + "kubelet");
    LoadGenerator.Stats stats;
    TuningPhase.Result tuning;
    try (LocalCluster cluster = LocalCluster.builder().name("demo").start()) {
      narrator.say("cluster up; operator log: %s", cluster.runDir().resolve("operator.log"));
      stats = scaleAndCanary(cluster);
      if (scaledUp == 0 || scaledDown == 0 || canaryRolledBack == 0) {
        narrator.say("this run showed no %s; give it more time (DEMO_SECONDS=%d) or read %s",
            scaledUp == 0 ? "scale-up" : canaryRolledBack == 0 ? "canary rollback" : "scale-down", seconds + 60,
            cluster.runDir().resolve("operator.log"));
      }
      tuning = new TuningPhase(cluster, narrator, tuningDeadline).run();
      if (!tuning.shown()) {
        narrator.say("the tuning part showed %s; give it more time (DEMO_SECONDS=%d) or read %s",
            tuning.trials() == 0 ? "no trial" : "no canary verdict on the winner", seconds + 60,
            cluster.runDir().resolve("operator.log"));
      }
      narrator.say("stopping the cluster");
    }
    // after the cluster has stopped, so that nothing it logs while stopping comes after the summary
    narrator.summary("DEMO scaled_up=%d scaled_down=%d max_replicas=%d canary_rolled_back=%d canary_promoted=%d "
        + "requests=%d errors=%d tuning_trials=%d tuning_baseline=%s tuning_best=%s tuning_applied=%s seconds=%d",
        scaledUp, scaledDown, maxReplicas, canaryRolledBack, canaryPromoted, stats.ok(), stats.errors(),
        tuning.trials(), tuning.baseline(), tuning.best(), tuning.applied(), narrator.elapsedSeconds());
    return scaledUp > 0 && scaledDown > 0 && canaryRolledBack > 0 && tuning.shown() ? 0 : 1;
  }

  /**
   * The first part: rising load scales fraud-demo up while a slower model ships as a canary and is rolled back, then
   * no load, so it scales down. Returns what the load generator saw.
   */
  private LoadGenerator.Stats scaleAndCanary(LocalCluster cluster) throws IOException {
    Path manifest = cluster.repo().example("autoscaling-demo.yaml");
    narrator.say("kubectl apply -n %s -f %s   (1 to 4 pods, 10 requests/s per pod, 2 s interval; canary policy)",
        NS, cluster.repo().root().relativize(manifest));
    String yaml = Files.readString(manifest);
    cluster.apply(yaml, NS);
    Narrator.showUntil(() -> ready(cluster) || late(0), () -> view(cluster, null));
    URI service = cluster.serviceUrl(NS, NAME);
    narrator.say("model served at %s (the Service, through the local kube-proxy)", service);

    Random random = new Random(7);
    try (LoadGenerator load = LoadGenerator.to(service.resolve("/v2/models/" + NAME + "/infer"))
        .body(() -> "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":"
            + random.doubles(8).boxed().toList() + "}]}")
        .rate(5).start()) {
      // rising load while a slower model ships as a canary; once the canary is decided, no load, so the
      // scale-down shows
      long remaining = deadline - System.nanoTime() - Duration.ofSeconds(8).toNanos();
      long rising = Math.max(Duration.ofSeconds(25).toNanos(), remaining * 2 / 5);
      long risingSince = System.nanoTime();
      long latest = deadline - Duration.ofSeconds(35).toNanos();
      narrator.say("load: rising from 5 to 40 requests/s over %d s", rising / 1_000_000_000);
      // the stable model serves the load before the canary ships
      Narrator.showUntil(() -> load.stats().ok() > 0 || late(8), () -> view(cluster, load));
      narrator.say("kubectl apply: model.uri mlp-classifier-slow.onnx, version v2 (a model ~10 ms slower per request: "
          + "the canary analysis should roll it back on LatencyP99 maxRatioToStable 1.5)");
      cluster.apply(yaml.replace("mlp-classifier.onnx", "mlp-classifier-slow.onnx").replace("version: v1",
          "version: v2"), NS);
      Narrator.showUntil(() -> late(8) || System.nanoTime() >= Math.max(risingSince + rising, 0)
          && (canaryRolledBack + canaryPromoted > 0 || System.nanoTime() >= latest), () -> {
            double progress = (double) (System.nanoTime() - risingSince) / rising;
            load.setRate(Math.round(5 + 35 * Math.min(1, progress * 1.5)));
            view(cluster, load);
          });
      narrator.say("load: stopped; the operator waits out the 10 s rate window and 10 s stabilization before "
          + "scaling down");
      load.setRate(0);
      Narrator.showUntil(() -> late(8) || scaledDown > 0 && currentReplicas(cluster) == 1, () -> view(cluster, load));
      view(cluster, load);
      cluster.customResources("ModelDeployment").inNamespace(NS).withName(NAME).delete();
      narrator.say("deleted the ModelDeployment %s", NAME);
      return load.stats();
    }
  }

  private boolean ready(LocalCluster cluster) {
    GenericKubernetesResource md = cluster.customResources("ModelDeployment").inNamespace(NS).withName(NAME).get();
    return md != null && "1/1".equals(md.get("status", "replicaSummary"));
  }

  private boolean late(int reserveSeconds) {
    return System.nanoTime() > deadline - Duration.ofSeconds(reserveSeconds).toNanos();
  }

  /** One line of the live view, then any new Event of the ModelDeployment. */
  @SuppressWarnings("unchecked")
  private void view(LocalCluster cluster, LoadGenerator load) {
    GenericKubernetesResource md = cluster.customResources("ModelDeployment").inNamespace(NS).withName(NAME).get();
    List<Kubelet.PodInfo> pods = java.util.stream.Stream.concat(cluster.kubelet().pods(NS, NAME).stream(),
        cluster.kubelet().pods(NS, NAME + "-canary").stream()).filter(p -> !p.terminating()).toList();
    long ready = pods.stream().filter(Kubelet.PodInfo::ready).count();
    int desired = currentReplicas(cluster);
    maxReplicas = Math.max(maxReplicas, desired);
    OptionalDouble rps = cluster.prometheus().queryValue("sum(rate(modelpilot_requests_total{namespace=\"" + NS
        + "\",modelpilot_io_deployment=\"" + NAME + "\"}[10s]))");
    OptionalDouble p99 = cluster.prometheus().queryValue("histogram_quantile(0.99, sum by (le) (rate("
        + "modelpilot_request_duration_seconds_bucket{namespace=\"" + NS + "\",modelpilot_io_deployment=\"" + NAME
        + "\"}[10s])))");
    Object lastDecision = md == null ? null : md.get("status", "autoscaling", "lastDecision");
    String decision = String.valueOf(lastDecision);
    Object canaryPhase = md == null ? null : md.get("status", "canary", "phase");
    Object canaryWeight = md == null ? null : md.get("status", "canary", "weight");
    String canary = canaryPhase == null ? "" : " │ canary " + canaryPhase + " " + canaryWeight + "%";
    narrator.show("load %4s req/s │ Prometheus %6s req/s, p99 %6s │ replicas %d, pods %d/%d ready%s │ %s",
        load == null ? "-" : String.valueOf(Math.round(load.rate())),
        rps.isPresent() ? "%.1f".formatted(rps.getAsDouble()) : "-",
        p99.isPresent() && !Double.isNaN(p99.getAsDouble()) ? "%.0fms".formatted(p99.getAsDouble() * 1000) : "-",
        desired, ready, pods.size(), canary, decision.equals("null") ? "" : decision);
    for (Event e : narrator.newEvents(cluster, NS, Set.of(NAME))) {
      if ("Scaled".equals(e.getReason())) {
        count(e.getMessage());
      } else if ("CanaryRolledBack".equals(e.getReason())) {
        canaryRolledBack++;
      } else if ("CanaryPromoted".equals(e.getReason())) {
        canaryPromoted++;
      }
    }
  }

  /** "scaled 1→3: …" */
  private void count(String message) {
    var m = java.util.regex.Pattern.compile("scaled (\\d+)→(\\d+)").matcher(message);
    if (m.find()) {
      int from = Integer.parseInt(m.group(1));
      int to = Integer.parseInt(m.group(2));
      if (to > from) {
        scaledUp++;
      } else if (to < from) {
        scaledDown++;
      }
    }
  }

  private static int currentReplicas(LocalCluster cluster) {
    Deployment d = cluster.client().apps().deployments().inNamespace(NS).withName(NAME).get();
    return d == null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
  }
}
