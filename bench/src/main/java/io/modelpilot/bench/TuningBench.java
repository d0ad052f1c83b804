package io.modelpilot.bench;

import io.modelpilot.operator.search.BayesianSearch;
import io.modelpilot.operator.search.Objective;
import io.modelpilot.operator.search.Observation;
import io.modelpilot.operator.search.Parameter;
import io.modelpilot.operator.search.Point;
import io.modelpilot.operator.search.RandomSearch;
import io.modelpilot.operator.search.SearchSpace;
import io.modelpilot.operator.search.Study;
import io.modelpilot.operator.search.Suggester;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToDoubleFunction;

/**
 * The operator's tuning search core (io.modelpilot.operator.search) on two standard test functions, one trial at a
 * time, each run fed its own history as the TuningJob reconciler will feed it. It prints figures and asserts
 * nothing.
 *
 * <ul>
 *   <li>Hartmann6 on [0, 1]^6, minimum −3.32237. Random search runs 200 trials on {@value #SEEDS} seeds; the median of
 *       their best values is the target. Bayesian search runs 100 trials on the same number of seeds:
 *       hartmann6_trials_median / _p80 are the trials it needs until its best reaches the target (a seed that never
 *       does counts as infinite), hartmann6_regret_100 the median of (best after 100 trials − minimum).
 *   <li>Branin on [−5, 10] × [0, 15], minimum 0.397887 (three global minima): branin_hit_rate_40 is the share of
 *       seeds whose best after 40 trials is within 1e-3 of it.
 *   <li>ms_per_suggestion: one suggestion given 100 observed trials (the first 100 of a Hartmann6 run), timed
 *       alone on one thread after two warm-up calls; the median of {@value #TIMINGS}.
 * </ul>
 * Seeds run in parallel over the available processors; the timing runs after them, alone.
 */
final class TuningBench {

  static final int SEEDS = 20;
  static final int TIMINGS = 5;
  static final double HARTMANN6_MIN = -3.32237;
  static final double BRANIN_MIN = 0.397887;
  static final int RANDOM_TRIALS = 200;
  static final int HARTMANN6_TRIALS = 100;
  static final int BRANIN_TRIALS = 40;

  static final Study HARTMANN6 = new Study(SearchSpace.of(Parameter.real("x1", 0, 1), Parameter.real("x2", 0, 1),
      Parameter.real("x3", 0, 1), Parameter.real("x4", 0, 1), Parameter.real("x5", 0, 1), Parameter.real("x6", 0, 1)),
      Objective.minimize("value"));
  static final Study BRANIN = new Study(SearchSpace.of(Parameter.real("x1", -5, 10), Parameter.real("x2", 0, 15)),
      Objective.minimize("value"));

  public static void main(String[] args) throws Exception {
    long started = System.nanoTime();
    // bench/run tuning [SEEDS]: fewer seeds for a quick look; the reported run uses the default
    int seeds = args.length > 1 ? Integer.parseInt(args[1]) : SEEDS;
    int threads = Runtime.getRuntime().availableProcessors();
    System.out.println("Tuning search core on Hartmann6 and Branin, " + seeds + " seeds each, " + threads
        + " threads; one trial at a time.");
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<double[]>> randomRuns = new ArrayList<>();
      List<Future<double[]>> bayesHartmann = new ArrayList<>();
      List<Future<double[]>> bayesBranin = new ArrayList<>();
      for (int s = 0; s < seeds; s++) {
        long seed = 1000 + s;
        randomRuns.add(pool.submit(() -> run(new RandomSearch(), HARTMANN6, TuningBench::hartmann6, RANDOM_TRIALS,
            seed)));
        bayesHartmann.add(pool.submit(() -> run(new BayesianSearch(), HARTMANN6, TuningBench::hartmann6,
            HARTMANN6_TRIALS, seed)));
        bayesBranin.add(pool.submit(() -> run(new BayesianSearch(), BRANIN, TuningBench::branin, BRANIN_TRIALS,
            seed)));
      }

      List<Double> randomBests = new ArrayList<>();
      for (Future<double[]> f : randomRuns) {
        randomBests.add(last(f.get()));
      }
      double target = Stats.median(randomBests);
      System.out.printf(Locale.ROOT, "%nrandom search, Hartmann6, best after %d trials per seed: %s%n", RANDOM_TRIALS,
          format(randomBests));
      System.out.printf(Locale.ROOT, "target (median of those): %.5f (regret %.4f)%n", target,
          target - HARTMANN6_MIN);

      System.out.printf(Locale.ROOT, "%nbayesian, Hartmann6, %d trials%n%-6s %8s %10s %10s %10s %10s%n",
          HARTMANN6_TRIALS, "seed", "to-target", "best@30", "best@50", "best@100", "regret@100");
      List<Double> toTarget = new ArrayList<>();
      List<Double> regrets = new ArrayList<>();
      for (int s = 0; s < seeds; s++) {
        double[] best = bayesHartmann.get(s).get();
        double reached = Double.POSITIVE_INFINITY;
        for (int i = 0; i < best.length; i++) {
          if (best[i] <= target) {
            reached = i + 1;
            break;
          }
        }
        toTarget.add(reached);
        regrets.add(last(best) - HARTMANN6_MIN);
        System.out.printf(Locale.ROOT, "%-6d %8s %10.5f %10.5f %10.5f %10.2e%n", 1000 + s, compact(reached),
            best[29], best[49], last(best), last(best) - HARTMANN6_MIN);
      }

      System.out.printf(Locale.ROOT, "%nbayesian, Branin, %d trials%n%-6s %10s %10s %10s %5s%n", BRANIN_TRIALS,
          "seed", "best@20", "best@40", "regret@40", "hit");
      int hits = 0;
      for (int s = 0; s < seeds; s++) {
        double[] best = bayesBranin.get(s).get();
        double regret = last(best) - BRANIN_MIN;
        boolean hit = regret <= 1e-3;
        hits += hit ? 1 : 0;
        System.out.printf(Locale.ROOT, "%-6d %10.5f %10.5f %10.2e %5s%n", 1000 + s, best[19], last(best), regret,
            hit ? "yes" : "no");
      }

      double ms = timeSuggestion();
      double median = Stats.median(toTarget);
      double p80 = percentile(toTarget, 0.8);
      System.out.printf(Locale.ROOT, "%n(%.1f s)%n", (System.nanoTime() - started) / 1e9);
      System.out.println("RESULT tuning hartmann6_trials_median=" + compact(median) + " hartmann6_trials_p80="
          + compact(p80) + " branin_hit_rate_40=" + String.format(Locale.ROOT, "%.2f", (double) hits / seeds)
          + " hartmann6_regret_100=" + String.format(Locale.ROOT, "%.2e", Stats.median(regrets))
          + " ms_per_suggestion=" + String.format(Locale.ROOT, "%.0f", ms));
    } finally {
      pool.shutdownNow();
    }
  }

  /** Best value so far after each trial. */
  static double[] run(Suggester suggester, Study study, ToDoubleFunction<double[]> f, int trials, long seed) {
    List<Observation> history = new ArrayList<>();
    double[] best = new double[trials];
    double bestSoFar = Double.POSITIVE_INFINITY;
    for (int i = 0; i < trials; i++) {
      Point p = suggester.suggest(study, history, 1, seed).points().get(0);
      double value = f.applyAsDouble(coordinates(p));
      history.add(Observation.succeeded("trial-" + i, p.values(), Map.of("value", value)));
      bestSoFar = Math.min(bestSoFar, value);
      best[i] = bestSoFar;
    }
    return best;
  }

  private static double timeSuggestion() {
    Suggester bayes = new BayesianSearch();
    List<Observation> history = new ArrayList<>();
    long seed = 7;
    for (int i = 0; i < HARTMANN6_TRIALS; i++) {
      Point p = bayes.suggest(HARTMANN6, history, 1, seed).points().get(0);
      history.add(Observation.succeeded("trial-" + i, p.values(), Map.of("value", hartmann6(coordinates(p)))));
    }
    long[] nanos = new long[TIMINGS];
    for (int i = -2; i < TIMINGS; i++) {
      long t0 = System.nanoTime();
      bayes.suggest(HARTMANN6, history, 1, seed + i);
      if (i >= 0) {
        nanos[i] = System.nanoTime() - t0;
      }
    }
    System.out.printf(Locale.ROOT, "%none suggestion with %d observed trials, ms: %s%n", history.size(),
        Arrays.toString(Arrays.stream(nanos).map(n -> n / 1_000_000).toArray()));
    return Stats.percentile(nanos, 0.5);
  }

  static double[] coordinates(Point p) {
    return p.values().values().stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
  }

  private static final double[] ALPHA = {1.0, 1.2, 3.0, 3.2};
  private static final double[][] A = {
      {10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14}, {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
  private static final double[][] P = {
      {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886}, {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
      {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650}, {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

  static double hartmann6(double[] x) {
    double sum = 0;
    for (int i = 0; i < 4; i++) {
      double inner = 0;
      for (int j = 0; j < 6; j++) {
        inner += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
      }
      sum += ALPHA[i] * Math.exp(-inner);
    }
    return -sum;
  }

  static double branin(double[] x) {
    double b = 5.1 / (4 * Math.PI * Math.PI);
    double c = 5 / Math.PI;
    double t = 1 / (8 * Math.PI);
    double u = x[1] - b * x[0] * x[0] + c * x[0] - 6;
    return u * u + 10 * (1 - t) * Math.cos(x[0]) + 10;
  }

  private static double last(double[] values) {
    return values[values.length - 1];
  }

  private static double percentile(List<Double> values, double q) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[index];
  }

  private static String compact(double v) {
    return Double.isInfinite(v) ? "inf" : v == Math.rint(v) ? String.valueOf((long) v)
        : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String format(List<Double> values) {
    return values.stream().map(v -> String.format(Locale.ROOT, "%.4f", v)).toList().toString();
  }
}
