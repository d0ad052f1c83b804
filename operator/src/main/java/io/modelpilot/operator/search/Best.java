package io.modelpilot.operator.search;

import java.util.List;
import java.util.Optional;

/** The best feasible trial: succeeded, reporting the objective, meeting every constraint; the earliest wins ties. */
public final class Best {

  private Best() {
  }

  public static Optional<Observation> of(Study study, List<Observation> history) {
    Observation best = null;
    double bestValue = Double.NaN;
    for (Observation t : history) {
      Double v = t.metrics().get(study.objective().metric());
      if (t.state() != Observation.State.SUCCEEDED || v == null || v.isNaN()) {
        continue;
      }
      if (!study.constraints().stream().allMatch(c -> c.satisfiedBy(t.metrics()))) {
        continue;
      }
      if (best == null || study.objective().better(v, bestValue)) {
        best = t;
        bestValue = v;
      }
    }
    return Optional.ofNullable(best);
  }
}
