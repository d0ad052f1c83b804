package io.modelpilot.operator.search;

import java.util.List;
import java.util.Objects;

/** What is searched: the space, the objective and the constraints a good point must meet. */
public record Study(SearchSpace space, Objective objective, List<Constraint> constraints) {

  public Study {
    Objects.requireNonNull(space, "space");
    Objects.requireNonNull(objective, "objective");
    constraints = constraints == null ? List.of() : List.copyOf(constraints);
    for (Constraint c : constraints) {
      if (c.metric().equals(objective.metric())) {
        throw new IllegalArgumentException("metric '" + c.metric() + "' is both the objective and a constraint");
      }
    }
  }

  public Study(SearchSpace space, Objective objective) {
    this(space, objective, List.of());
  }
}
