package io.modelpilot.bench;

import io.modelpilot.operator.rollout.core.AnalysisCheck;
import io.modelpilot.operator.rollout.core.CanaryAnalysis;
import io.modelpilot.operator.rollout.core.Decision;
import io.modelpilot.operator.rollout.core.Judgement;
import io.modelpilot.operator.rollout.core.Measurement;
import io.modelpilot.operator.rollout.core.Phase;
import io.modelpilot.operator.rollout.core.RolloutMachine;
import io.modelpilot.operator.rollout.core.RolloutPolicy;
import io.modelpilot.operator.rollout.core.RolloutState;
import io.modelpilot.operator.rollout.core.Signals;
import io.modelpilot.operator.rollout.core.Step;
import io.modelpilot.operator.rollout.core.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The operator's canary core (io.modelpilot.operator.rollout: CanaryAnalysis and RolloutMachine) over simulated,
 * seeded metric series: 50 healthy canaries and 50 with a fault, on a virtual clock of one analysis interval per
 * tick. It prints figures and asserts nothing.
 *
 * <h2>Policy (one for every case)</h2>
 * Steps 10% / 25% / 50%, each with a 2 minute pause, then promotion; interval 1 m; failureLimit 1; minRequests 100;
 * progressDeadline 10 m. Metrics: ErrorRate max 0.01; LatencyP99 maxRatioToStable 1.5; Accuracy maxDropFromStable
 * 0.03. (No step at 100%: with all traffic on the canary, stable serves nothing to compare with.) A case runs
 * until a terminal phase or 30 intervals; one still running then is "stuck" (paused, neither promoted nor rolled
 * back).
 *
 * <h2>World, drawn per case</h2>
 * <ul>
 *   <li>Traffic: a mean of 40..150 requests/s, varying ±15% per interval; each interval's requests are Poisson
 *       (normal approximation) and split between canary and stable by the step's weight (binomial). Prometheus is
 *       unreachable for a whole interval with probability 2%: every metric is then unavailable.
 *   <li>Errors: a base rate of 0.1..0.5% for both, times a per-interval, per-side lognormal factor (σ 0.3); each
 *       side independently has a transient burst (+0.5..1.5%, a flaky dependency) in 3% of intervals. Each request
 *       fails independently at that interval's rate.
 *   <li>Latency: every request's latency is drawn, lognormal with a median of 20..80 ms and σ 0.3..0.6; each side
 *       and interval has its own ±5% factor (node noise), the canary a per-case ±5% (other nodes). In the first
 *       interval of each step 0.5% of the canary's requests take twice as long (pods warming up). The p99 is what
 *       Prometheus answers: histogram_quantile(0.99) over the runtime's Micrometer percentile-histogram buckets
 *       (1 ms..30 s), with its linear interpolation within a bucket.
 *   <li>Accuracy: a base of 85..95% for both, shifted per interval by a common N(0, 1 point) (the input mix); 20..50%
 *       of requests receive feedback within the window, each correct with that interval's probability.
 * </ul>
 *
 * <h2>Faults (only the faulty cases, only the canary, from the start of a random interval 0..3 on)</h2>
 * Cycling through error rate +2..8 points, p99 latency ×1.8..3 (every request slower), accuracy −6..20 points.
 *
 * <h2>Figures</h2>
 * {@code bench/run canary SEED} draws other worlds and faults; without it the seed is {@value #DEFAULT_SEED}.
 *
 * rollback_intervals: for each faulty canary, analysis intervals from the start of its fault to the rollback
 * decision (the analysis at the end of the fault's first interval counts 1); canaries promoted, stuck or rolled
 * back before the fault count as infinite; the median. false_rollbacks: healthy canaries rolled back.
 * missed_faults: faulty canaries promoted.
 */
final class CanaryBench {

  static final int HEALTHY = 50;
  static final int FAULTY = 50;
  static final int MAX_INTERVALS = 30;
  static final long DEFAULT_SEED = 20300601L;
  static final Duration INTERVAL = Duration.ofMinutes(1);
  static final RolloutPolicy POLICY = new RolloutPolicy(
      List.of(Step.timed(10, Duration.ofMinutes(2)), Step.timed(25, Duration.ofMinutes(2)),
          Step.timed(50, Duration.ofMinutes(2))),
      INTERVAL, 1, 100, Duration.ofMinutes(10));
  static final AnalysisCheck ERRORS = AnalysisCheck.errorRate("error-rate", 0.01);
  static final AnalysisCheck LATENCY = AnalysisCheck.latencyP99RatioToStable("latency-p99", 1.5);
  static final AnalysisCheck ACCURACY = AnalysisCheck.accuracyDropFromStable("accuracy", 0.03);

  static final double PROMETHEUS_OUTAGE = 0.02;
  static final double ERROR_BURST = 0.03;
  static final double WARMUP_SLOW_SHARE = 0.005;
  private static final Instant EPOCH = Instant.parse("2030-01-01T00:00:00Z");
  private static final double[] BUCKETS = micrometerBuckets(0.001, 30);

  enum FaultKind { ERROR_RATE, LATENCY, ACCURACY }

  /** A canary's fault: from the start of interval {@code start} on. */
  record Fault(FaultKind kind, double size, int start) {
    String describe() {
      return switch (kind) {
        case ERROR_RATE -> String.format(Locale.ROOT, "errors +%.1f%%", size * 100);
        case LATENCY -> String.format(Locale.ROOT, "latency x%.2f", size);
        case ACCURACY -> String.format(Locale.ROOT, "accuracy -%.1fpt", size * 100);
      } + " from " + start;
    }
  }

  /** What one case is made of, drawn from its seed. */
  record World(double rps, double baseErrors, double medianLatency, double sigma, double canaryNode,
      double baseAccuracy, double feedbackShare) {

    static World draw(Random r) {
      return new World(uniform(r, 40, 150), uniform(r, 0.001, 0.005), uniform(r, 0.02, 0.08), uniform(r, 0.3, 0.6),
          Math.exp(0.05 * r.nextGaussian()), uniform(r, 0.85, 0.95), uniform(r, 0.2, 0.5));
    }
  }

  /** One side's observations over one interval. */
  record Side(long requests, long errors, double p99, long feedback, long correct) {
  }

  record Outcome(Phase phase, int intervals, int failures, int inconclusive, String message) {
  }

  public static void main(String[] args) {
    long started = System.nanoTime();
    // bench/run canary [SEED]: another seed draws other worlds and faults; the default is the reported run.
    long seed = args.length > 1 ? Long.parseLong(args[1]) : DEFAULT_SEED;
    System.out.println("Canary core (CanaryAnalysis + RolloutMachine) on simulated noisy metrics, seed " + seed + ".");
    System.out.println("policy: steps 10%/25%/50% (pause 2m each) then promote; interval 1m; failureLimit "
        + POLICY.failureLimit() + "; minRequests " + POLICY.minRequests() + "; metrics: error rate max 0.01, "
        + "p99 latency maxRatioToStable 1.5, accuracy maxDropFromStable 0.03");
    System.out.println("rules: proportions FAIL only beyond the threshold at one-sided 99% (Wilson / Newcombe, z "
        + CanaryAnalysis.Z + "); p99 needs " + CanaryAnalysis.MIN_LATENCY_REQUESTS + " requests per side; "
        + "inconclusive pauses; a step advances after its pause and 2 passing analyses in a row; " + MAX_INTERVALS
        + " intervals at most");
    System.out.println();
    System.out.printf(Locale.ROOT, "%-4s %-28s %5s %-12s %4s %5s %5s  %s%n", "case", "fault", "rps", "outcome",
        "at", "fails", "incon", "detect / message");

    Random seeds = new Random(seed);
    int falseRollbacks = 0;
    int missed = 0;
    int stuckHealthy = 0;
    int stuckFaulty = 0;
    int early = 0;
    List<Double> detections = new ArrayList<>();
    List<Double> promotions = new ArrayList<>();
    int healthyInconclusive = 0;
    for (int i = 0; i < HEALTHY + FAULTY; i++) {
      Random r = new Random(seeds.nextLong());
      World world = World.draw(r);
      Fault fault = i < HEALTHY ? null : new Fault(FaultKind.values()[i % 3], faultSize(FaultKind.values()[i % 3], r),
          r.nextInt(4));
      Outcome o = simulate(world, fault, r);
      String detect = "";
      if (fault == null) {
        healthyInconclusive += o.inconclusive();
        switch (o.phase()) {
          case ROLLED_BACK -> falseRollbacks++;
          case PROMOTED -> promotions.add((double) o.intervals());
          default -> stuckHealthy++;
        }
      } else {
        double intervals = Double.POSITIVE_INFINITY;
        switch (o.phase()) {
          case PROMOTED -> missed++;
          case ROLLED_BACK -> {
            if (o.intervals() > fault.start()) {
              intervals = o.intervals() - fault.start();
              detect = "after " + (int) intervals + " intervals; ";
            } else {
              early++;
              detect = "before the fault; ";
            }
          }
          default -> stuckFaulty++;
        }
        detections.add(intervals);
      }
      System.out.printf(Locale.ROOT, "%-4d %-28s %5.0f %-12s %4d %5d %5d  %s%s%n", i,
          fault == null ? "healthy" : fault.describe(), world.rps(), o.phase(), o.intervals(), o.failures(),
          o.inconclusive(), detect, o.phase() == Phase.PROMOTED ? "" : o.message());
    }

    System.out.println();
    System.out.printf(Locale.ROOT, "healthy: %d promoted (median %.1f intervals), %d rolled back, %d stuck; "
        + "%d inconclusive analyses in all%n", promotions.size(), promotions.isEmpty() ? 0 : Stats.median(promotions),
        falseRollbacks, stuckHealthy, healthyInconclusive);
    System.out.printf(Locale.ROOT, "faulty: %d rolled back after the fault began, %d before it, %d promoted, "
        + "%d stuck%n", FAULTY - missed - stuckFaulty - early, early, missed, stuckFaulty);
    System.out.printf(Locale.ROOT, "(%.1f s)%n", (System.nanoTime() - started) / 1e9);
    double median = Stats.median(detections);
    System.out.println("RESULT canary rollback_intervals=" + compact(median) + " false_rollbacks=" + falseRollbacks
        + " missed_faults=" + missed);
  }

  static Outcome simulate(World world, Fault fault, Random r) {
    Instant now = EPOCH;
    RolloutState state = RolloutMachine.start("canary", now);
    int weight = POLICY.steps().get(0).weight();
    int stepStartedInterval = 0;
    int inconclusive = 0;
    int replicas = 4;
    for (int interval = 0; interval < MAX_INTERVALS; interval++) {
      // The window [interval, interval + 1) ran at the weight decided at its start.
      boolean faulty = fault != null && interval >= fault.start();
      boolean warming = interval == stepStartedInterval;
      List<Judgement> judgements;
      long canaryRequests;
      double rate = world.rps() * 60 * (1 + 0.15 * clamp(r.nextGaussian(), -2, 2));
      long total = Math.max(0, Math.round(rate + Math.sqrt(rate) * r.nextGaussian()));
      long canaryN = binomialApprox(r, total, weight / 100.0);
      double accuracyShift = 0.01 * r.nextGaussian();
      Side canary = side(r, world, canaryN, true, warming, faulty ? fault : null, accuracyShift);
      Side stable = side(r, world, total - canaryN, false, false, null, accuracyShift);
      canaryRequests = canary.requests();
      if (r.nextDouble() < PROMETHEUS_OUTAGE) {
        Measurement down = Measurement.unavailable("Prometheus unreachable: connect timed out");
        judgements = List.of(CanaryAnalysis.judge(ERRORS, down), CanaryAnalysis.judge(LATENCY, down),
            CanaryAnalysis.judge(ACCURACY, down));
      } else {
        judgements = List.of(
            CanaryAnalysis.judge(ERRORS, Measurement.of(ratio(canary.errors(), canary.requests()), canary.requests(),
                ratio(stable.errors(), stable.requests()), stable.requests())),
            CanaryAnalysis.judge(LATENCY, Measurement.of(nan(canary.p99()), canary.requests(), nan(stable.p99()),
                stable.requests())),
            CanaryAnalysis.judge(ACCURACY, Measurement.of(ratio(canary.correct(), canary.feedback()),
                canary.feedback(), ratio(stable.correct(), stable.feedback()), stable.feedback())));
      }
      now = now.plus(INTERVAL);
      if (!RolloutMachine.analysisDue(POLICY, state, now)) {
        throw new IllegalStateException("analysis not due at " + now + " for " + state);
      }
      int canaryPods = RolloutMachine.canaryReplicas(replicas, weight);
      Decision d = RolloutMachine.next(POLICY, state,
          new Signals(canaryPods, canaryPods, canaryRequests, judgements, false, false, false), now);
      if (d.state().lastVerdict() == Verdict.INCONCLUSIVE) {
        inconclusive++;
      }
      state = d.state();
      if (d.canaryWeight() != weight) {
        weight = d.canaryWeight();
        stepStartedInterval = interval + 1;
      }
      if (state.phase().terminal()) {
        return new Outcome(state.phase(), interval + 1, state.failures(), inconclusive, state.message());
      }
    }
    return new Outcome(state.phase(), MAX_INTERVALS, state.failures(), inconclusive, state.message());
  }

  static Side side(Random r, World w, long n, boolean canary, boolean warming, Fault fault, double accuracyShift) {
    double errorRate = w.baseErrors() * Math.exp(0.3 * r.nextGaussian());
    if (r.nextDouble() < ERROR_BURST) {
      errorRate += uniform(r, 0.005, 0.015);
    }
    double latencyFactor = Math.exp(0.05 * r.nextGaussian()) * (canary ? w.canaryNode() : 1);
    double accuracy = w.baseAccuracy() + accuracyShift;
    if (fault != null) {
      switch (fault.kind()) {
        case ERROR_RATE -> errorRate += fault.size();
        case LATENCY -> latencyFactor *= fault.size();
        case ACCURACY -> accuracy -= fault.size();
      }
    }
    errorRate = clamp(errorRate, 0, 1);
    accuracy = clamp(accuracy, 0, 1);
    long errors = binomialApprox(r, n, errorRate);
    long[] buckets = new long[BUCKETS.length + 1];
    double mu = Math.log(w.medianLatency() * latencyFactor);
    for (long k = 0; k < n; k++) {
      double latency = Math.exp(mu + w.sigma() * r.nextGaussian());
      if (warming && r.nextDouble() < WARMUP_SLOW_SHARE) {
        latency *= 2;
      }
      buckets[bucket(latency)]++;
    }
    long feedback = binomialApprox(r, n, w.feedbackShare());
    long correct = binomialApprox(r, feedback, accuracy);
    return new Side(n, errors, histogramQuantile(0.99, buckets, n), feedback, correct);
  }

  /**
   * Prometheus' histogram_quantile over cumulative buckets: the bucket holding rank q × count, interpolated linearly
   * within it (from 0 for the first bucket); the +Inf bucket answers the highest finite bound. NaN with no counts.
   */
  static double histogramQuantile(double q, long[] buckets, long count) {
    if (count == 0) {
      return Double.NaN;
    }
    double rank = q * count;
    long below = 0;
    for (int b = 0; b < buckets.length; b++) {
      if (below + buckets[b] >= rank && buckets[b] > 0) {
        if (b == BUCKETS.length) {
          return BUCKETS[BUCKETS.length - 1];
        }
        double lower = b == 0 ? 0 : BUCKETS[b - 1];
        return lower + (BUCKETS[b] - lower) * (rank - below) / buckets[b];
      }
      below += buckets[b];
    }
    return BUCKETS[BUCKETS.length - 1];
  }

  private static int bucket(double seconds) {
    int lo = 0;
    int hi = BUCKETS.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (seconds <= BUCKETS[mid]) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** Micrometer's PercentileHistogramBuckets (nanoseconds: each power of 4 split in 3), within [min, max] s. */
  static double[] micrometerBuckets(double minSeconds, double maxSeconds) {
    List<Double> all = new ArrayList<>(List.of(1.0, 2.0, 3.0));
    for (int exp = 2; exp < 62; exp += 2) {
      long current = 1L << exp;
      long delta = current / 3;
      long next = (current << 2) - delta;
      while (current < next) {
        all.add((double) current);
        current += delta;
      }
    }
    return all.stream().mapToDouble(ns -> ns / 1e9)
        .filter(s -> s >= minSeconds && s <= maxSeconds).toArray();
  }

  private static double faultSize(FaultKind kind, Random r) {
    return switch (kind) {
      case ERROR_RATE -> uniform(r, 0.02, 0.08);
      case LATENCY -> uniform(r, 1.8, 3.0);
      case ACCURACY -> uniform(r, 0.06, 0.20);
    };
  }

  /**
   * Binomial(n, p): exact below 50 trials; Poisson for the rarer outcome when it averages under 20 (error counts);
   * otherwise its normal approximation. Clamped to 0..n.
   */
  private static long binomialApprox(Random r, long n, double p) {
    if (n < 50) {
      long k = 0;
      for (long i = 0; i < n; i++) {
        if (r.nextDouble() < p) {
          k++;
        }
      }
      return k;
    }
    double rare = Math.min(p, 1 - p);
    if (n * rare < 20) {
      long k = Math.min(n, poisson(r, n * rare));
      return p <= 0.5 ? k : n - k;
    }
    double sd = Math.sqrt(n * p * (1 - p));
    return Math.max(0, Math.min(n, Math.round(n * p + sd * r.nextGaussian())));
  }

  /** Knuth's method; fine for means under 20. */
  private static long poisson(Random r, double mean) {
    double limit = Math.exp(-mean);
    double product = r.nextDouble();
    long k = 0;
    while (product > limit) {
      product *= r.nextDouble();
      k++;
    }
    return k;
  }

  private static Double ratio(long part, long whole) {
    return whole == 0 ? null : part / (double) whole;
  }

  private static Double nan(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static double uniform(Random r, double lo, double hi) {
    return lo + (hi - lo) * r.nextDouble();
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static String compact(double v) {
    if (Double.isInfinite(v)) {
      return "inf";
    }
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
