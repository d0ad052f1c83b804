package io.modelpilot.operator.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The models behind a Bayesian suggestion: a GP for the loss, one per constraint (of its excess over the limit, so
 * "≤ 0" is feasible) and, once a trial has failed, one for failure (1 failed, 0 not; "≤ ½" is feasible). The
 * acquisition is log EI over the best feasible loss plus the log probability that every limit holds; before any
 * point is feasible it is the probability of feasibility alone.
 */
final class Surrogates {

  private final Surrogate objective;
  private final double best;
  private final List<Surrogate> limits;
  private final List<Double> bounds;
  final String summary;

  private Surrogates(Surrogate objective, double best, List<Surrogate> limits, List<Double> bounds, String summary) {
    this.objective = objective;
    this.best = best;
    this.limits = limits;
    this.bounds = bounds;
    this.summary = summary;
  }

  /** Fits every model on the history, then takes the in-flight trials' points as observed at their predictions. */
  static Surrogates fit(Study study, History history, Encoding encoding, int restarts) {
    List<double[]> xs = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    double bestFeasible = Double.NaN;
    double bestAny = Double.NaN;
    for (History.Entry e : history.entries) {
      if (e.hasLoss()) {
        xs.add(encoding.encode(e.point()));
        losses.add(e.loss());
        bestAny = Double.isNaN(bestAny) ? e.loss() : Math.min(bestAny, e.loss());
        if (study.constraints().stream().allMatch(c -> c.satisfiedBy(e.trial().metrics()))) {
          bestFeasible = Double.isNaN(bestFeasible) ? e.loss() : Math.min(bestFeasible, e.loss());
        }
      }
    }
    Surrogate objective = Surrogate.fit(xs.toArray(double[][]::new), unbox(losses), encoding, restarts);

    List<Surrogate> limits = new ArrayList<>();
    List<Double> bounds = new ArrayList<>();
    for (Constraint c : study.constraints()) {
      List<double[]> cx = new ArrayList<>();
      List<Double> cv = new ArrayList<>();
      for (History.Entry e : history.entries) {
        Double v = e.trial().metrics().get(c.metric());
        boolean finished = e.trial().state() == Observation.State.SUCCEEDED
            || e.trial().state() == Observation.State.EARLY_STOPPED;
        if (finished && v != null && Double.isFinite(v)) {
          cx.add(encoding.encode(e.point()));
          cv.add(c.excess(v));
        }
      }
      if (!cx.isEmpty()) {
        limits.add(Surrogate.fit(cx.toArray(double[][]::new), unbox(cv), encoding, 1));
        bounds.add(0.0);
      }
    }
    boolean anyFailed = history.entries.stream().anyMatch(e -> !e.hasLoss() && !e.trial().state().inFlight());
    if (anyFailed) {
      List<double[]> fx = new ArrayList<>();
      List<Double> fv = new ArrayList<>();
      for (History.Entry e : history.entries) {
        if (!e.trial().state().inFlight()) {
          fx.add(encoding.encode(e.point()));
          fv.add(e.hasLoss() ? 0.0 : 1.0);
        }
      }
      limits.add(Surrogate.fit(fx.toArray(double[][]::new), unbox(fv), encoding, 1));
      bounds.add(0.5);
    }
    // with no feasible point and nothing that models feasibility, improving on the best loss is all there is
    double best = Double.isNaN(bestFeasible) && limits.isEmpty() ? bestAny : bestFeasible;
    Surrogates s = new Surrogates(objective, best, limits, bounds, summary(study, objective, xs.size(), limits));
    for (History.Entry e : history.entries) {
      if (e.trial().state().inFlight()) {
        s = s.believe(encoding.encode(e.point()));
      }
    }
    return s;
  }

  /** log EI + Σ log P(limit holds), to be maximised. */
  double acquisition(double[] x) {
    double a = 0;
    if (!Double.isNaN(best)) {
      double[] p = objective.predict(x);
      a += Acquisition.logExpectedImprovement(p[0], p[1], best);
    }
    for (int i = 0; i < limits.size(); i++) {
      double[] p = limits.get(i).predict(x);
      a += Acquisition.logProbabilityAtMost(p[0], p[1], bounds.get(i));
    }
    return a;
  }

  /**
   * Kriging believer: every model takes its own prediction at {@code x} as observed, so the next pick looks
   * elsewhere; the believed loss becomes the incumbent when the limits are believed to hold there.
   */
  Surrogates believe(double[] x) {
    double[] loss = objective.predict(x);
    boolean feasible = true;
    List<Surrogate> believed = new ArrayList<>();
    for (int i = 0; i < limits.size(); i++) {
      feasible &= limits.get(i).predict(x)[0] <= bounds.get(i);
      believed.add(limits.get(i).believe(x));
    }
    double nextBest = feasible && !Double.isNaN(best) ? Math.min(best, loss[0]) : best;
    return new Surrogates(objective.believe(x), nextBest, believed, bounds, summary);
  }

  private static String summary(Study study, Surrogate objective, int observations, List<Surrogate> limits) {
    StringBuilder s = new StringBuilder("GP on ").append(observations).append(" results, length scales");
    List<Parameter> ps = study.space().parameters();
    for (int i = 0; i < ps.size(); i++) {
      s.append(String.format(Locale.ROOT, " %s=%.3g", ps.get(i).name(), objective.lengthScales[i]));
    }
    if (!limits.isEmpty()) {
      s.append("; ").append(limits.size()).append(" feasibility model(s)");
    }
    return s.toString();
  }

  private static double[] unbox(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
