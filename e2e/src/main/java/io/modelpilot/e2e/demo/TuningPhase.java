package io.modelpilot.e2e.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.modelpilot.e2e.cluster.LocalCluster;
import io.modelpilot.e2e.load.LoadGenerator;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;

/**
 * The demo's tuning part ({@code examples/tuning-demo.yaml}): fraud-tune serves 60 requests/s of a heavy model
 * without dynamic batching; the TuningJob fraud-tune-runtime benchmarks those settings and two Bayesian picks of
 * threads × largest batch, ships the fastest into fraud-tune, and fraud-tune's canary analysis against stable decides
 * whether production agrees.
 */
final class TuningPhase {

  /** The most this part takes: the target's start, three short trials, a canary of one 4 s step, and a margin. */
  static final int SECONDS = 100;
  private static final String TARGET = "fraud-tune";
  private static final String TUNING_JOB = "fraud-tune-runtime";
  /** Enough for the canary's p99 to be judged: it needs 100 requests per 4 s analysis on half the pods. */
  private static final int RATE = 60;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the summary reports: the trials run, the objective measured on the current settings (trial 1) and on the
   * best trial, and what production made of the shipped settings (Promoted, RolledBack, or none).
   */
  record Result(int trials, String baseline, String best, String applied) {

    boolean shown() {
      return trials > 0 && ("Promoted".equals(applied) || "RolledBack".equals(applied));
    }
  }

  private final LocalCluster cluster;
  private final Narrator narrator;
  private final long deadline;

  /** @param deadline {@link System#nanoTime()} by which this part ends, whatever the TuningJob did by then */
  TuningPhase(LocalCluster cluster, Narrator narrator, long deadline) {
    this.cluster = cluster;
    this.narrator = narrator;
    this.deadline = deadline;
  }

  Result run() throws IOException {
    Path manifest = cluster.repo().example("tuning-demo.yaml");
    narrator.say("kubectl apply -n %s -f %s   (%s: 2 pods of a heavy model, no dynamic batching; TuningJob %s: "
        + "3 trials of the built-in benchmark over intraOpThreads 1..2 × maxBatchSize 1..8, trial 1 on the "
        + "current settings; the fastest ships as a canary judged against stable)", Demo.NS,
        cluster.repo().root().relativize(manifest), TARGET, TUNING_JOB);
    cluster.apply(Files.readString(manifest), Demo.NS);
    Narrator.showUntil(() -> serving() || late(), () -> view(null));
    URI service = cluster.serviceUrl(Demo.NS, TARGET);
    Random random = new Random(11);
    try (LoadGenerator load = LoadGenerator.to(service.resolve("/v2/models/" + TARGET + "/infer"))
        .body(() -> "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":"
            + random.doubles(8).boxed().toList() + "}]}")
        .rate(RATE).start()) {
      narrator.say("load: %d requests/s through the %s Service, so that its canary has traffic to be judged on", RATE,
          TARGET);
      Narrator.showUntil(() -> decided() || late(), () -> view(load));
      view(load);
    }
    Result result = result(tuningJob());
    narrator.say("tuning: %s", story(tuningJob(), result));
    cluster.customResources("TuningJob").inNamespace(Demo.NS).withName(TUNING_JOB).delete();
    cluster.customResources("ModelDeployment").inNamespace(Demo.NS).withName(TARGET).delete();
    narrator.say("deleted the TuningJob (and its trial Jobs) and the ModelDeployment %s", TARGET);
    return result;
  }

  private boolean late() {
    return System.nanoTime() > deadline - Duration.ofSeconds(5).toNanos();
  }

  private boolean serving() {
    GenericKubernetesResource md = cluster.customResources("ModelDeployment").inNamespace(Demo.NS).withName(TARGET)
        .get();
    return md != null && "2/2".equals(md.get("status", "replicaSummary"));
  }

  /** The search is over and production has judged its winner (or nothing was shipped). */
  private boolean decided() {
    String phase = tuningJob().at("/status/phase").asText();
    return phase.equals("Succeeded") || phase.equals("Failed");
  }

  private JsonNode tuningJob() {
    GenericKubernetesResource tj = cluster.customResources("TuningJob").inNamespace(Demo.NS).withName(TUNING_JOB)
        .get();
    return tj == null ? JSON.createObjectNode() : JSON.valueToTree(tj);
  }

  /** One line of the live view, then any new Event of the TuningJob or its target. */
  private void view(LoadGenerator load) {
    JsonNode tj = tuningJob();
    GenericKubernetesResource md = cluster.customResources("ModelDeployment").inNamespace(Demo.NS).withName(TARGET)
        .get();
    Object canaryPhase = md == null ? null : md.get("status", "canary", "phase");
    Object canaryWeight = md == null ? null : md.get("status", "canary", "weight");
    JsonNode best = tj.at("/status/bestTrial/summary");
    narrator.show("load %3s req/s │ p99 stable %5s, canary %5s │ TuningJob %s, trials %s%s%s",
        load == null ? "-" : String.valueOf(Math.round(load.rate())), p99("stable"), p99("canary"),
        text(tj.at("/status/phase"), "Pending"), text(tj.at("/status/trialSummary"), "0/3"),
        best.isMissingNode() ? "" : ", best " + best.asText(),
        canaryPhase == null ? "" : " │ canary " + canaryPhase + " " + canaryWeight + "%");
    narrator.newEvents(cluster, Demo.NS, Set.of(TARGET, TUNING_JOB));
  }

  private String p99(String track) {
    OptionalDouble p99 = cluster.prometheus().queryValue("histogram_quantile(0.99, sum by (le) (rate("
        + "modelpilot_request_duration_seconds_bucket{namespace=\"" + Demo.NS + "\",modelpilot_io_deployment=\""
        + TARGET + "\",modelpilot_io_track=\"" + track + "\"}[10s])))");
    return p99.isPresent() && !Double.isNaN(p99.getAsDouble())
        ? String.format(Locale.ROOT, "%.0fms", p99.getAsDouble() * 1000) : "-";
  }

  private static Result result(JsonNode tj) {
    JsonNode trials = tj.at("/status/trials");
    JsonNode first = trials.path(0);
    String metric = tj.at("/spec/objective/metric").asText();
    return new Result(trials.size(), number(first.path("metrics").path(metric)),
        number(tj.at("/status/bestTrial/value")), text(tj.at("/status/applied/outcome"), "none"));
  }

  /** "throughput 66 with the current settings, 453 with {…} (trial 2): Promoted on fraud-tune, …" */
  private static String story(JsonNode tj, Result result) {
    String metric = tj.at("/spec/objective/metric").asText();
    String outcome = switch (result.applied()) {
      case "Promoted" -> "its canary was promoted: " + TARGET + " runs revision "
          + tj.at("/status/applied/revision").asText() + " now";
      case "RolledBack" -> "its canary was rolled back on " + tj.at("/status/applied/failingMetric").asText();
      default -> "nothing shipped (" + text(tj.at("/status/conditions/0/message"), "no status") + ")";
    };
    return String.format(Locale.ROOT, "%s %s with the current settings, %s with %s (%s); %s", metric,
        result.baseline(), result.best(), tj.at("/status/bestTrial/parameters"), text(tj.at("/status/bestTrial/name"),
            "no best trial"), outcome);
  }

  private static String number(JsonNode value) {
    return value.isNumber() ? String.format(Locale.ROOT, "%.0f", value.asDouble()) : "none";
  }

  private static String text(JsonNode value, String otherwise) {
    return value.isMissingNode() || value.isNull() ? otherwise : value.asText();
  }
}
