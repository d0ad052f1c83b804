package io.modelpilot.bench;

import io.modelpilot.operator.autoscaling.core.Autoscaler;
import io.modelpilot.operator.autoscaling.core.Behavior;
import io.modelpilot.operator.autoscaling.core.MetricReading;
import io.modelpilot.operator.autoscaling.core.ScalingDecision;
import io.modelpilot.operator.autoscaling.core.ScalingHistory;
import io.modelpilot.operator.autoscaling.core.ScalingInput;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * ModelPilot's autoscaling loop against Kubernetes HPA fed by KEDA, replayed side by side on the same noisy load
 * traces, on a virtual clock of 1 s steps (nothing sleeps). It prints figures and asserts nothing.
 *
 * <h2>World (the same for every side)</h2>
 * <ul>
 *   <li>A ready replica serves C = 25 requests/s at p99 = 80 ms; above that p99 = 80 ms × (1 + 4 × (x − C) / C)²
 *       for x requests/s per ready replica (monotonic; 200 ms is reached at x ≈ 28.6, 320 ms at 31.25). Every
 *       request of a second is taken to have that second's p99 (no queue carries over between seconds).
 *   <li>The SLO is p99 ≤ 200 ms; the target is 20 requests/s per replica; 1 to 10 replicas.
 *   <li>A pod becomes ready 20 s after the decision that created it (model load); a scale-down removes pods at
 *       once, not-ready ones first (as the ReplicaSet controller does). Every request is served, slow or not.
 *   <li>Prometheus scrapes every 15 s (offset drawn per trace); samples exist only at scrape instants. A query
 *       rate(x[w]) at time t sees the samples in (t − w, t] and, as Prometheus' extrapolation does when the
 *       samples reach the window's edges, answers their slope: (last − first) / (t_last − t_first). So a 30 s
 *       window is the mean over the last 15 s between two scrapes, and a 1 m window the mean over 45 s.
 *       histogram_quantile over the same window: the request-weighted 0.99 quantile of the seconds between the two
 *       samples, exactly (no bucket interpolation error). Fewer than two samples: no data.
 * </ul>
 *
 * <h2>(a) ModelPilot</h2>
 * The operator's pure core {@link Autoscaler#decide}, fed as ModelDeploymentAutoscaler feeds it, configured as
 * examples/autoscaling-model.yaml does it: evaluation every 5 s (spec.autoscaling.interval), window 30s (also
 * the reading window over which an absolute reading is scaled from the fewest pods ready),
 * RequestsPerSecond target 20 per replica, read as sum(rate(requests[30s])), a PER_REPLICA reading; LatencyP99
 * with the SLO (200 ms) as target, read as histogram_quantile(0.99, …[30s]), an ABSOLUTE reading (no data reads
 * as 0, as the operator does); HPA's default behaviour (tolerance 0.1, scale-down window 300 s, scale-up
 * max(+4 pods, +100%) per 15 s) with the example's scaleDown.settleWindow of 30 s. Unlike the example, this
 * uses the default 300 s scale-down window (the example shortens it to 60 s) so that both sides scale down under
 * the same window, min 1 / max 10 replicas and the SLO as latency target. currentReplicas is the Deployment's
 * spec, readyReplicas its ready pods. "hpa-rule" in the table is the same core with settleWindow 0 (HPA's
 * staircase), printed for information.
 *
 * <h2>(b) Reference: KEDA's Prometheus scaler feeding HPA, written independently in {@link AutoscaleReferenceHpa}</h2>
 * <ul>
 *   <li>HPA: sync period 15 s (kube-controller-manager --horizontal-pod-autoscaler-sync-period default, HPA docs),
 *       External metric with an AverageValue target of 20 (the KEDA Prometheus scaler's default metricType),
 *       desired = ceil(current × value / (target × current)) unless within the tolerance 0.1, default behavior:
 *       scale-down stabilization 300 s (highest recommendation), scale-up max(+4 pods, +100%) per 15 s, scale-down
 *       -100% per 15 s, then min/max (HPA docs, "Default Behavior").
 *   <li>KEDA: ScaledObject pollingInterval default 30 s (KEDA ScaledObject spec); cooldownPeriod (default 300 s)
 *       applies only to 0 ↔ 1 and plays no part with minReplicaCount 1. Query: a typical
 *       sum(rate(requests[1m])).
 *   <li>What HPA sees: as the brief for this benchmark has it, the value of the last KEDA poll (the 1 m rate as
 *       of that poll), which is KEDA with the trigger's useCachedMetrics: true. KEDA's default is
 *       useCachedMetrics: false: then its metrics server queries Prometheus on every HPA request (kedacore/keda
 *       issue 2282; ScaledObject spec), so HPA sees the 1 m rate as of its own sync. That variant is simulated
 *       too and printed as "ref-nc" (no cache), for information; the RESULT figures use the cached reference.
 * </ul>
 *
 * <h2>Figures, each per trace for every side in the same run, then the median over the traces</h2>
 * <ul>
 *   <li>decision_intervals: for each upward crossing — the true (noise- and spike-free) load divided by the
 *       replicas the side has asked for goes above the target + 10% (22/s), and that load stays above it, for
 *       the count at the crossing, for at least 30 s — the time from the crossing to the side's first scale-up
 *       decision, over the scrape interval (15 s); per trace the mean over its crossings. Crossings with the count
 *       at maxReplicas are skipped (nothing to decide), and so are those with no scale-up before the trace ends.
 *   <li>flaps_ratio: ModelPilot's replica changes ÷ the reference's.
 *   <li>slo_violation_ratio: ModelPilot's seconds with p99 > SLO ÷ the reference's.
 * </ul>
 * A reference with 0 changes or 0 violation seconds would make a ratio infinite or undefined: the divisor is
 * max(1, reference's), so a trace on which neither side changes or violates counts as 0, not NaN.
 */
final class AutoscaleBench {

  static final int TRACES = 24;
  static final int DURATION_S = 1800;
  static final int WARMUP_S = 120;

  static final double CAPACITY = 25;
  static final double BASE_P99_MS = 80;
  static final double SLO_MS = 200;
  static final double TARGET = 20;
  static final double TOLERANCE = 0.1;
  static final int READY_AFTER_S = 20;
  static final int MIN_REPLICAS = 1;
  static final int MAX_REPLICAS = 10;

  static final int SCRAPE_S = 15;
  static final int MODELPILOT_INTERVAL_S = 5;
  static final int MODELPILOT_WINDOW_S = 30;
  static final int HPA_SYNC_S = 15;
  static final int KEDA_POLL_S = 30;
  static final int KEDA_WINDOW_S = 60;
  static final int SUSTAINED_S = 30;

  private static final String RPS = "requests/s per replica";
  private static final String P99 = "p99 latency ms";
  private static final Instant EPOCH = Instant.parse("2030-01-01T00:00:00Z");

  /** The phases of the periodic loops within their periods, drawn per trace so that no alignment is favoured. */
  record Phases(int scrape, int modelpilot, int hpa, int keda) {
  }

  /** What a side did on one trace. */
  record Run(double decisionIntervals, int crossings, int changes, int violationSeconds, long podSeconds) {
  }

  public static void main(String[] args) {
    long started = System.nanoTime();
    List<Double> mpDecisions = new ArrayList<>();
    List<Double> refDecisions = new ArrayList<>();
    List<Double> ncDecisions = new ArrayList<>();
    List<Double> flaps = new ArrayList<>();
    List<Double> slo = new ArrayList<>();
    List<Double> ncFlaps = new ArrayList<>();
    List<Double> hpaRuleFlaps = new ArrayList<>();
    List<Double> hpaRuleSlo = new ArrayList<>();
    long hpaRulePods = 0;
    List<Double> ncSlo = new ArrayList<>();
    long mpPods = 0;
    long refPods = 0;

    System.out.println("ModelPilot (operator core, 5 s interval, rate[30s] + p99 vs SLO) vs HPA 15 s sync fed by KEDA"
        + " (30 s poll, rate[1m]); ref-nc: the same HPA with KEDA's default uncached metrics.");
    System.out.println("Prometheus scrape 15 s; pods ready 20 s after the decision; target 20/s per replica, "
        + "SLO p99 <= 200 ms, 1..10 replicas; " + TRACES + " traces of " + DURATION_S + " s.");
    System.out.println("decision: mean scrape intervals (15 s) from a sustained crossing to the first scale-up "
        + "(number of crossings); chg: replica changes; viol: seconds p99 > SLO; pod-s: replica-seconds.");
    System.out.println();
    System.out.printf(Locale.ROOT, "%-5s %-36s | %-28s | %-13s | %-14s | %-20s%n", "trace", "load (base, surges)",
        "decision MP / ref / ref-nc", "chg MP/ref/nc", "viol MP/ref/nc", "pod-s MP/ref/nc");
    // Seeds from one generator: java.util.Random's first draws for consecutive seeds are nearly equal.
    Random seeds = new Random(20300101L);
    for (int i = 0; i < TRACES; i++) {
      AutoscaleTrace trace = AutoscaleTrace.generate(i, seeds.nextLong(), WARMUP_S, DURATION_S);
      Random phase = new Random(seeds.nextLong());
      Phases phases = new Phases(phase.nextInt(SCRAPE_S), phase.nextInt(MODELPILOT_INTERVAL_S),
          phase.nextInt(HPA_SYNC_S), phase.nextInt(KEDA_POLL_S));
      Run mp = simulate(trace, phases, new ModelPilotSide(phases, EXAMPLE_BEHAVIOR));
      Run hpaRule = simulate(trace, phases, new ModelPilotSide(phases, Behavior.defaults()));
      Run ref = simulate(trace, phases, new ReferenceSide(phases, true));
      Run nc = simulate(trace, phases, new ReferenceSide(phases, false));
      System.out.printf(Locale.ROOT, "%-5d %-36s | %-28s | %3d/%3d/%3d   | %4d/%4d/%4d | %6d/%6d/%6d%n", i,
          trace.shape(), decision(mp) + " / " + decision(ref) + " / " + decision(nc), mp.changes(), ref.changes(),
          nc.changes(), mp.violationSeconds(), ref.violationSeconds(), nc.violationSeconds(), mp.podSeconds(),
          ref.podSeconds(), nc.podSeconds());
      addIfNumber(mpDecisions, mp.decisionIntervals());
      addIfNumber(refDecisions, ref.decisionIntervals());
      addIfNumber(ncDecisions, nc.decisionIntervals());
      // max(1, …): see the class comment; a reference that never changed or never violated divides by 1
      flaps.add(mp.changes() / (double) Math.max(1, ref.changes()));
      hpaRuleFlaps.add(hpaRule.changes() / (double) Math.max(1, ref.changes()));
      hpaRuleSlo.add(hpaRule.violationSeconds() / (double) Math.max(1, ref.violationSeconds()));
      hpaRulePods += hpaRule.podSeconds();
      slo.add(mp.violationSeconds() / (double) Math.max(1, ref.violationSeconds()));
      ncFlaps.add(mp.changes() / (double) Math.max(1, nc.changes()));
      ncSlo.add(mp.violationSeconds() / (double) Math.max(1, nc.violationSeconds()));
      mpPods += mp.podSeconds();
      refPods += ref.podSeconds();
    }

    double decision = median(mpDecisions);
    double refDecision = median(refDecisions);
    double flapsRatio = median(flaps);
    double sloRatio = median(slo);
    System.out.println();
    System.out.printf(Locale.ROOT, "median decision latency in scrape intervals: ModelPilot %.2f (goal <= 2), "
        + "reference %.2f, ref-nc %.2f (over %d / %d / %d traces with a crossing)%n", decision, refDecision,
        median(ncDecisions), mpDecisions.size(), refDecisions.size(), ncDecisions.size());
    System.out.printf(Locale.ROOT, "median flaps ratio (changes MP / ref): %.2f (goal <= 1.0); against ref-nc %.2f%n",
        flapsRatio, median(ncFlaps));
    System.out.printf(Locale.ROOT, "median SLO violation ratio (seconds MP / ref): %.2f (goal <= 0.5); "
        + "against ref-nc %.2f%n", sloRatio, median(ncSlo));
    System.out.printf(Locale.ROOT, "pod-seconds, all traces: ModelPilot %d, reference %d (%.2fx)%n", mpPods, refPods,
        mpPods / (double) refPods);
    System.out.printf(Locale.ROOT, "hpa-rule (the same core, settleWindow 0): flaps ratio %.2f, SLO violation ratio "
        + "%.2f, pod-seconds %d (%.2fx the reference)%n", median(hpaRuleFlaps), median(hpaRuleSlo), hpaRulePods,
        hpaRulePods / (double) refPods);
    System.out.printf(Locale.ROOT, "(%.1f s)%n", (System.nanoTime() - started) / 1e9);
    System.out.printf(Locale.ROOT, "reference_decision_intervals=%.2f%n", refDecision);
    System.out.printf(Locale.ROOT, "RESULT autoscale decision_intervals=%.2f flaps_ratio=%.2f slo_violation_ratio=%.2f%n",
        decision, flapsRatio, sloRatio);
  }

  private static String decision(Run run) {
    return Double.isNaN(run.decisionIntervals()) ? "   -   "
        : String.format(Locale.ROOT, "%4.2f(%d)", run.decisionIntervals(), run.crossings());
  }

  private static void addIfNumber(List<Double> values, double v) {
    if (!Double.isNaN(v)) {
      values.add(v);
    }
  }

  private static double median(List<Double> values) {
    return values.isEmpty() ? Double.NaN : Stats.median(values);
  }

  static double p99Ms(double perReadyReplica) {
    double over = Math.max(0, perReadyReplica - CAPACITY) / CAPACITY;
    return BASE_P99_MS * (1 + 4 * over) * (1 + 4 * over);
  }

  // ---------------------------------------------------------------------------------------------------------------

  /** A side's autoscaler, called every second; it keeps its own schedule. */
  interface Side {
    /**
     * @param decide false during the warm-up: poll and remember, but change nothing
     * @return the replica count the side sets now (current for no change)
     */
    int tick(int t, int current, int ready, SimulatedPrometheus prometheus, boolean decide);
  }

  /** The example's behaviour: HPA's defaults and a 30 s settle window on scale-down. */
  static final Behavior EXAMPLE_BEHAVIOR = Behavior.defaults()
      .withScaleDown(Behavior.Rules.defaultScaleDown().withSettleWindow(Duration.ofSeconds(30)));

  /** The operator's core, fed as ModelDeploymentAutoscaler feeds it. */
  static final class ModelPilotSide implements Side {
    private final Phases phases;
    private final Behavior behavior;
    private ScalingHistory history = ScalingHistory.empty();

    ModelPilotSide(Phases phases, Behavior behavior) {
      this.phases = phases;
      this.behavior = behavior;
    }

    @Override
    public int tick(int t, int current, int ready, SimulatedPrometheus prometheus, boolean decide) {
      if (!decide || Math.floorMod(t - phases.modelpilot(), MODELPILOT_INTERVAL_S) != 0) {
        return current;
      }
      double total = prometheus.rate(t, MODELPILOT_WINDOW_S);
      MetricReading rps = Double.isNaN(total) ? new MetricReading.Missing(RPS, "no data")
          : MetricReading.perReplica(RPS, total, TARGET);
      double p99 = prometheus.p99(t, MODELPILOT_WINDOW_S);
      MetricReading latency = MetricReading.absolute(P99, Double.isNaN(p99) ? 0 : p99, SLO_MS);
      ScalingDecision d = Autoscaler.decide(new ScalingInput(current, ready, MIN_REPLICAS, MAX_REPLICAS,
          List.of(rps, latency), behavior, EPOCH.plusSeconds(t), Duration.ofSeconds(MODELPILOT_WINDOW_S)), history);
      history = d.history();
      return d.desiredReplicas();
    }
  }

  /** HPA fed by KEDA's Prometheus scaler, with (cached) or without KEDA's metric cache. */
  static final class ReferenceSide implements Side {
    private final Phases phases;
    private final boolean cached;
    private final AutoscaleReferenceHpa hpa = new AutoscaleReferenceHpa(MIN_REPLICAS, MAX_REPLICAS, TARGET);
    private double lastPoll = Double.NaN;

    ReferenceSide(Phases phases, boolean cached) {
      this.phases = phases;
      this.cached = cached;
    }

    @Override
    public int tick(int t, int current, int ready, SimulatedPrometheus prometheus, boolean decide) {
      if (cached && Math.floorMod(t - phases.keda(), KEDA_POLL_S) == 0) {
        lastPoll = prometheus.rate(t, KEDA_WINDOW_S);
      }
      if (!decide || Math.floorMod(t - phases.hpa(), HPA_SYNC_S) != 0) {
        return current;
      }
      double usage = cached ? lastPoll : prometheus.rate(t, KEDA_WINDOW_S);
      return hpa.sync(t, current, usage);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  static Run simulate(AutoscaleTrace trace, Phases phases, Side side) {
    int w = trace.warmup();
    int n = trace.load().length;
    double[] counter = new double[n + 1];
    double[] p99 = new double[n];
    int[] spec = new int[n];
    List<Integer> scaleUps = new ArrayList<>();
    SimulatedPrometheus prometheus = new SimulatedPrometheus(trace, counter, p99, phases.scrape());
    int initial = Math.max(MIN_REPLICAS, Math.min(MAX_REPLICAS, (int) Math.ceil(trace.underlying()[0] / TARGET)));
    SimulatedPods pods = new SimulatedPods(initial, -w);
    int changes = 0;
    int violations = 0;
    long podSeconds = 0;
    for (int t = -w; t < n - w; t++) {
      int i = t + w;
      int current = pods.spec();
      int next = side.tick(t, current, pods.ready(t), prometheus, t >= 0);
      if (next != current) {
        pods.scale(next, t);
        changes++;
        if (next > current) {
          scaleUps.add(t);
        }
      }
      spec[i] = pods.spec();
      p99[i] = p99Ms(trace.load()[i] / pods.ready(t));
      counter[i + 1] = counter[i] + trace.load()[i];
      if (t >= 0) {
        violations += p99[i] > SLO_MS ? 1 : 0;
        podSeconds += pods.spec();
      }
    }

    // decision latency over the sustained upward crossings of the true load per replica asked for
    double threshold = TARGET * (1 + TOLERANCE);
    double sum = 0;
    int crossings = 0;
    boolean wasAbove = false;
    for (int t = 0; t < n - w; t++) {
      int i = t + w;
      boolean above = trace.underlying()[i] / spec[i] > threshold;
      if (above && !wasAbove && spec[i] < MAX_REPLICAS && t + SUSTAINED_S <= n - w) {
        boolean sustained = true;
        for (int s = i; s < i + SUSTAINED_S; s++) {
          sustained &= trace.underlying()[s] / spec[i] > threshold;
        }
        int at = t;
        Integer decided = scaleUps.stream().filter(d -> d >= at).findFirst().orElse(null);
        if (sustained && decided != null) {
          sum += (decided - t) / (double) SCRAPE_S;
          crossings++;
        }
      }
      wasAbove = above;
    }
    return new Run(crossings == 0 ? Double.NaN : sum / crossings, crossings, changes, violations, podSeconds);
  }
}
