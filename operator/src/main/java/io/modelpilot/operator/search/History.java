package io.modelpilot.operator.search;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A history parsed against the study: each trial's point, and the loss (objective, minimised) where it has one. */
final class History {

  /** A trial with its parsed point; {@code loss} is NaN where the trial gives no objective value. */
  record Entry(Observation trial, Point point, double loss) {

    boolean hasLoss() {
      return !Double.isNaN(loss);
    }
  }

  final List<Entry> entries;
  final Set<Point> taken;

  private History(List<Entry> entries) {
    this.entries = entries;
    this.taken = new HashSet<>();
    entries.forEach(e -> taken.add(e.point()));
  }

  static History of(Study study, List<Observation> trials) {
    List<Entry> entries = new ArrayList<>();
    for (Observation t : trials) {
      Point p;
      try {
        p = study.space().point(t.parameters());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("trial '" + t.id() + "': " + e.getMessage(), e);
      }
      entries.add(new Entry(t, p, loss(study.objective(), t)));
    }
    return new History(entries);
  }

  /**
   * A succeeded trial's objective; an early-stopped one's last intermediate value (it was stopped for being poor,
   * which is worth teaching the model). Failed and in-flight trials, and trials without the metric, have none.
   */
  static double loss(Objective objective, Observation t) {
    Double v = t.metrics().get(objective.metric());
    if (t.state() == Observation.State.SUCCEEDED || t.state() == Observation.State.EARLY_STOPPED) {
      if (v != null && Double.isFinite(v)) {
        return objective.loss(v);
      }
      if (t.state() == Observation.State.EARLY_STOPPED && !t.intermediate().isEmpty()) {
        double last = t.intermediate().get(t.intermediate().size() - 1).value();
        return Double.isFinite(last) ? objective.loss(last) : Double.NaN;
      }
    }
    return Double.NaN;
  }
}
