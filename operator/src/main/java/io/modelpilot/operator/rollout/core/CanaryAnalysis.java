package io.modelpilot.operator.rollout.core;

import io.modelpilot.operator.common.Numbers;
import io.modelpilot.operator.rollout.core.AnalysisCheck.Kind;

import java.util.ArrayList;
import java.util.List;

/**
 * Judges one metric of one analysis: the canary against an absolute threshold or against stable over the same
 * window. The rules are chosen so that noise cannot roll back a healthy canary and too little data cannot promote
 * one blind:
 *
 * <ul>
 *   <li><b>No measurement</b> (Prometheus unreachable, no series, NaN, no samples): INCONCLUSIVE, saying why.
 *   <li><b>Proportions</b> (error rate over requests, accuracy over feedback). The value is compared with the
 *       threshold directly (for maxDropFromStable: stable − canary). On the right side of it: PASS, provided it
 *       rests on at least {@value #MIN_PROPORTION_SAMPLES} samples on each side compared (below that one outcome
 *       moves the proportion by more than 3 points: INCONCLUSIVE). On the wrong side: FAIL only when a one-sided
 *       99% confidence bound is beyond the threshold as well, otherwise INCONCLUSIVE. The bound is Wilson's score
 *       bound for an absolute threshold (error rate: lower bound > max; accuracy: upper bound < min), and
 *       Newcombe's hybrid score bound on the difference of the two proportions for maxDropFromStable (lower
 *       bound of stable − canary > maxDrop). So 2 wrong out of 5 feedback records is INCONCLUSIVE, not FAIL: a
 *       canary exactly at its threshold fails one analysis with a probability of at most 1%, and a rollback
 *       needs failureLimit + 1 failed analyses.
 *   <li><b>p99 latency</b> needs at least {@value #MIN_LATENCY_REQUESTS} requests on each side compared: the 99th
 *       percentile of fewer requests is just the slowest of them, one garbage collection. Beyond that, max and
 *       maxRatioToStable (canary p99 ÷ stable p99) compare directly; histogram_quantile already averages within
 *       a bucket, and failureLimit absorbs the single slow window.
 *   <li><b>PromQL</b> values compare with min and max directly; their meaning is the user's.
 * </ul>
 */
public final class CanaryAnalysis {

  /** One-sided 99%: the normal quantile that the confidence bounds of proportions use. */
  public static final double Z = 2.326;
  public static final long MIN_PROPORTION_SAMPLES = 30;
  public static final long MIN_LATENCY_REQUESTS = 100;

  private CanaryAnalysis() {
  }

  public static Judgement judge(AnalysisCheck check, Measurement m) {
    if (m.unavailable() != null) {
      return new Judgement(check.name(), Verdict.INCONCLUSIVE, null, thresholds(check),
          "no measurement: " + m.unavailable());
    }
    List<Judgement> judgements = new ArrayList<>();
    switch (check.kind()) {
      case ERROR_RATE -> judgements.add(errorRate(check, m));
      case ACCURACY -> {
        if (check.min() != null) {
          judgements.add(accuracyMin(check, m));
        }
        if (check.maxDropFromStable() != null) {
          judgements.add(accuracyDrop(check, m));
        }
      }
      case LATENCY_P99 -> {
        if (check.max() != null) {
          judgements.add(latencyMax(check, m));
        }
        if (check.maxRatioToStable() != null) {
          judgements.add(latencyRatio(check, m));
        }
      }
      case PROMQL -> {
        if (check.min() != null) {
          judgements.add(promql(check, m, "min", check.min()));
        }
        if (check.max() != null) {
          judgements.add(promql(check, m, "max", check.max()));
        }
      }
    }
    Judgement worst = judgements.get(0);
    for (Judgement j : judgements) {
      if (j.verdict().ordinal() > worst.verdict().ordinal()) {
        worst = j;
      }
    }
    return worst;
  }

  /** An analysis fails if any metric failed, is inconclusive if any was, and passes otherwise (also with none). */
  public static Verdict verdict(List<Judgement> judgements) {
    Verdict verdict = Verdict.PASS;
    for (Judgement j : judgements) {
      verdict = verdict.worst(j.verdict());
    }
    return verdict;
  }

  private static Judgement errorRate(AnalysisCheck check, Measurement m) {
    String threshold = "max " + Numbers.precise(check.max());
    Double p = proportion(m.canary());
    long n = m.canarySamples();
    if (p == null || n == 0) {
      return inconclusive(check, null, threshold, noData("error rate", m.canary(), n, "requests"));
    }
    String value = "error rate " + Numbers.precise(p);
    if (p <= check.max()) {
      return n < MIN_PROPORTION_SAMPLES
          ? inconclusive(check, p, threshold, tooFew(value, n, "requests"))
          : judged(check, Verdict.PASS, p, threshold, value + " ≤ " + Numbers.precise(check.max()));
    }
    double lower = Proportions.wilsonLower(p, n, Z);
    String detail = "99% lower bound " + Numbers.precise(lower) + " over " + n + " requests";
    return lower > check.max()
        ? judged(check, Verdict.FAIL, p, threshold, value + " > " + Numbers.precise(check.max()) + " (" + detail + ")")
        : inconclusive(check, p, threshold,
            value + " > " + Numbers.precise(check.max()) + " but not significantly (" + detail + ")");
  }

  private static Judgement accuracyMin(AnalysisCheck check, Measurement m) {
    String threshold = "min " + Numbers.precise(check.min());
    Double p = proportion(m.canary());
    long n = m.canarySamples();
    if (p == null || n == 0) {
      return inconclusive(check, null, threshold, noData("accuracy", m.canary(), n, "feedback"));
    }
    String value = "accuracy " + Numbers.precise(p);
    if (p >= check.min()) {
      return n < MIN_PROPORTION_SAMPLES
          ? inconclusive(check, p, threshold, tooFew(value, n, "feedback"))
          : judged(check, Verdict.PASS, p, threshold, value + " ≥ " + Numbers.precise(check.min()));
    }
    double upper = Proportions.wilsonUpper(p, n, Z);
    String detail = "99% upper bound " + Numbers.precise(upper) + " over " + n + " feedback";
    return upper < check.min()
        ? judged(check, Verdict.FAIL, p, threshold, value + " < " + Numbers.precise(check.min()) + " (" + detail + ")")
        : inconclusive(check, p, threshold,
            value + " < " + Numbers.precise(check.min()) + " but not significantly (" + detail + ")");
  }

  private static Judgement accuracyDrop(AnalysisCheck check, Measurement m) {
    double maxDrop = check.maxDropFromStable();
    String threshold = "maxDropFromStable " + Numbers.precise(maxDrop);
    Double canary = proportion(m.canary());
    Double stable = proportion(m.stable());
    long n = m.canarySamples();
    long ns = m.stableSamples();
    if (canary == null || n == 0) {
      return inconclusive(check, null, threshold, noData("accuracy", m.canary(), n, "feedback"));
    }
    if (stable == null || ns == 0) {
      return inconclusive(check, null, threshold,
          "no stable accuracy to compare with (" + describe(m.stable()) + " over " + ns + " feedback)");
    }
    double drop = stable - canary;
    String value = "accuracy drop from stable " + Numbers.precise(drop) + " (" + Numbers.precise(canary) + " vs "
        + Numbers.precise(stable) + ")";
    String over = " over " + n + " vs " + ns + " feedback";
    if (drop <= maxDrop) {
      return Math.min(n, ns) < MIN_PROPORTION_SAMPLES
          ? inconclusive(check, drop, threshold,
              value + over + ": too few to judge (needs " + MIN_PROPORTION_SAMPLES + " each)")
          : judged(check, Verdict.PASS, drop, threshold, value + " ≤ " + Numbers.precise(maxDrop));
    }
    double lower = Proportions.differenceLower(stable, ns, canary, n, Z);
    String detail = "99% lower bound " + Numbers.precise(lower) + over;
    return lower > maxDrop
        ? judged(check, Verdict.FAIL, drop, threshold, value + " > " + Numbers.precise(maxDrop) + " (" + detail + ")")
        : inconclusive(check, drop, threshold,
            value + " > " + Numbers.precise(maxDrop) + " but not significantly (" + detail + ")");
  }

  private static Judgement latencyMax(AnalysisCheck check, Measurement m) {
    String threshold = "max " + Numbers.precise(check.max()) + "s";
    Double p99 = nonNegative(m.canary());
    long n = m.canarySamples();
    if (p99 == null || n == 0) {
      return inconclusive(check, null, threshold, noData("p99 latency", m.canary(), n, "requests"));
    }
    String value = "p99 latency " + Numbers.precise(p99) + "s";
    if (n < MIN_LATENCY_REQUESTS) {
      return inconclusive(check, p99, threshold, tooFewForP99(value, n, "canary"));
    }
    return p99 > check.max()
        ? judged(check, Verdict.FAIL, p99, threshold, value + " > " + Numbers.precise(check.max()) + "s")
        : judged(check, Verdict.PASS, p99, threshold, value + " ≤ " + Numbers.precise(check.max()) + "s");
  }

  private static Judgement latencyRatio(AnalysisCheck check, Measurement m) {
    double maxRatio = check.maxRatioToStable();
    String threshold = "maxRatioToStable " + Numbers.precise(maxRatio);
    Double canary = nonNegative(m.canary());
    Double stable = nonNegative(m.stable());
    long n = m.canarySamples();
    long ns = m.stableSamples();
    if (canary == null || n == 0) {
      return inconclusive(check, null, threshold, noData("p99 latency", m.canary(), n, "requests"));
    }
    if (stable == null || stable == 0 || ns == 0) {
      return inconclusive(check, null, threshold,
          "no stable p99 latency to compare with (" + describe(m.stable()) + " over " + ns + " requests)");
    }
    double ratio = canary / stable;
    String value = "p99 latency ratio to stable " + Numbers.precise(ratio) + " (" + Numbers.precise(canary) + "s vs "
        + Numbers.precise(stable) + "s)";
    if (n < MIN_LATENCY_REQUESTS) {
      return inconclusive(check, ratio, threshold, tooFewForP99(value, n, "canary"));
    }
    if (ns < MIN_LATENCY_REQUESTS) {
      return inconclusive(check, ratio, threshold, tooFewForP99(value, ns, "stable"));
    }
    return ratio > maxRatio
        ? judged(check, Verdict.FAIL, ratio, threshold, value + " > " + Numbers.precise(maxRatio))
        : judged(check, Verdict.PASS, ratio, threshold, value + " ≤ " + Numbers.precise(maxRatio));
  }

  private static Judgement promql(AnalysisCheck check, Measurement m, String bound, double limit) {
    String threshold = bound + " " + Numbers.precise(limit);
    Double v = finite(m.canary());
    if (v == null) {
      return inconclusive(check, null, threshold, "query returned no data (" + describe(m.canary()) + ")");
    }
    boolean violated = bound.equals("min") ? v < limit : v > limit;
    String op = bound.equals("min") ? (violated ? " < " : " ≥ ") : (violated ? " > " : " ≤ ");
    return judged(check, violated ? Verdict.FAIL : Verdict.PASS, v, threshold,
        "value " + Numbers.precise(v) + op + Numbers.precise(limit));
  }

  private static String thresholds(AnalysisCheck check) {
    List<String> parts = new ArrayList<>();
    if (check.min() != null) {
      parts.add("min " + Numbers.precise(check.min()));
    }
    if (check.max() != null) {
      parts.add("max " + Numbers.precise(check.max()) + (check.kind() == Kind.LATENCY_P99 ? "s" : ""));
    }
    if (check.maxRatioToStable() != null) {
      parts.add("maxRatioToStable " + Numbers.precise(check.maxRatioToStable()));
    }
    if (check.maxDropFromStable() != null) {
      parts.add("maxDropFromStable " + Numbers.precise(check.maxDropFromStable()));
    }
    return String.join(", ", parts);
  }

  private static String noData(String quantity, Double value, long n, String unit) {
    return "no " + quantity + " data for the canary (" + describe(value) + " over " + n + " " + unit + ")";
  }

  private static String tooFew(String value, long n, String unit) {
    return value + " over " + n + " " + unit + ": too few to judge (needs " + MIN_PROPORTION_SAMPLES + ")";
  }

  private static String tooFewForP99(String value, long n, String side) {
    return value + ": the " + side + "'s p99 over " + n + " requests is too noisy to judge (needs "
        + MIN_LATENCY_REQUESTS + ")";
  }

  private static String describe(Double value) {
    return value == null ? "no value" : Numbers.precise(value);
  }

  private static Double finite(Double v) {
    return v == null || !Double.isFinite(v) ? null : v;
  }

  private static Double nonNegative(Double v) {
    Double f = finite(v);
    return f == null || f < 0 ? null : f;
  }

  /** A proportion outside 0..1 is a broken query, not a value to judge. */
  private static Double proportion(Double v) {
    Double f = finite(v);
    return f == null || f < 0 || f > 1 ? null : f;
  }

  private static Judgement judged(AnalysisCheck check, Verdict verdict, Double value, String threshold,
      String message) {
    return new Judgement(check.name(), verdict, value, threshold, message);
  }

  private static Judgement inconclusive(AnalysisCheck check, Double value, String threshold, String message) {
    return judged(check, Verdict.INCONCLUSIVE, value, threshold, message);
  }
}
