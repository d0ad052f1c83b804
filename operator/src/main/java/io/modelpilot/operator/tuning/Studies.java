package io.modelpilot.operator.tuning;

import io.modelpilot.operator.api.v1alpha1.TuningConstraint;
import io.modelpilot.operator.api.v1alpha1.TuningJobSpec;
import io.modelpilot.operator.api.v1alpha1.TrialStatus;
import io.modelpilot.operator.api.v1alpha1.TuningObjective;
import io.modelpilot.operator.api.v1alpha1.TuningParameter;
import io.modelpilot.operator.search.Constraint;
import io.modelpilot.operator.search.Objective;
import io.modelpilot.operator.search.Observation;
import io.modelpilot.operator.search.Parameter;
import io.modelpilot.operator.search.SearchSpace;
import io.modelpilot.operator.search.Study;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Between the TuningJob API and the pure search: spec → {@link Study}, status.trials → history. */
final class Studies {

  private Studies() {
  }

  /** @throws IllegalArgumentException naming the field and the rule, for what the schema could not refuse */
  static Study study(TuningJobSpec spec) {
    List<Parameter> parameters = new ArrayList<>();
    for (TuningParameter p : spec.getParameters()) {
      if (p.getPath() != null && !Tunables.allowed(p.getPath())) {
        throw new IllegalArgumentException("spec.parameters[" + p.getName() + "].path: " + p.getPath()
            + " is not a tunable field; one of " + TuningParameter.PATHS);
      }
      parameters.add(Parameter.of(p.getName(), p.getType() == null ? null : p.getType().value(), p.getMin(),
          p.getMax(), p.getStep(), p.getValues(), p.getLogScale()));
    }
    TuningObjective o = spec.getObjective();
    Objective objective = o.directionOrDefault() == TuningObjective.Direction.MINIMIZE
        ? Objective.minimize(o.getMetric()) : Objective.maximize(o.getMetric());
    List<Constraint> constraints = new ArrayList<>();
    for (TuningConstraint c : spec.getConstraints() == null ? List.<TuningConstraint>of() : spec.getConstraints()) {
      if (c.getMax() != null) {
        constraints.add(Constraint.atMost(c.getMetric(), c.getMax()));
      }
      if (c.getMin() != null) {
        constraints.add(Constraint.atLeast(c.getMetric(), c.getMin()));
      }
    }
    return new Study(new SearchSpace(parameters), objective, constraints);
  }

  /** The objective's metric and every constrained one: a trial's result must carry them all. */
  static List<String> requiredMetrics(TuningJobSpec spec) {
    List<String> metrics = new ArrayList<>(List.of(spec.getObjective().getMetric()));
    if (spec.getConstraints() != null) {
      spec.getConstraints().stream().map(TuningConstraint::getMetric).filter(m -> !metrics.contains(m))
          .forEach(metrics::add);
    }
    return metrics;
  }

  /**
   * The search's history: the trials in creation order, then the points production rolled back for this target
   * (as failed trials: never proposed, never best).
   */
  static List<Observation> history(Study study, List<TrialStatus> trials, List<Map<String, String>> rolledBack) {
    List<Observation> history = new ArrayList<>();
    for (TrialStatus t : trials) {
      history.add(observation(t));
    }
    int i = 0;
    for (Map<String, String> point : rolledBack) {
      try {
        study.space().point(point);
        history.add(Observation.failed("rolled-back-" + (++i), point));
      } catch (IllegalArgumentException e) {
        // a point from another space (other parameters or bounds): nothing this search could propose
      }
    }
    return history;
  }

  static Observation observation(TrialStatus t) {
    Map<String, String> p = t.getParameters() == null ? Map.of() : t.getParameters();
    List<Observation.Intermediate> curve = t.getIntermediate() == null ? List.of() : t.getIntermediate().stream()
        .map(v -> new Observation.Intermediate(v.getStep(), v.getValue())).toList();
    Observation.State state = switch (t.getPhase()) {
      case SUCCEEDED -> Observation.State.SUCCEEDED;
      case FAILED -> Observation.State.FAILED;
      case EARLY_STOPPED -> Observation.State.EARLY_STOPPED;
      case RUNNING -> Observation.State.RUNNING;
      case PENDING -> Observation.State.PENDING;
    };
    return new Observation(t.getName(), p, state, state == Observation.State.FAILED ? Map.of() : t.getMetrics(),
        curve);
  }

  /** A rolled-back point (values by path) in this TuningJob's parameter names; null unless every one is there. */
  static Map<String, String> byName(List<TuningParameter> parameters, Map<String, String> byPath) {
    Map<String, String> point = new LinkedHashMap<>();
    for (TuningParameter p : parameters) {
      if (p.getPath() == null || !byPath.containsKey(p.getPath())) {
        return null;
      }
      point.put(p.getName(), byPath.get(p.getPath()));
    }
    return point;
  }
}
