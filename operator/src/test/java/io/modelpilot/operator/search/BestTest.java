package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class BestTest {

  private static final SearchSpace SPACE = SearchSpace.of(Parameter.integer("batch", 1, 64));

  @Test
  void picksTheBestSucceededTrialThatMeetsEveryConstraint() {
    Study study = new Study(SPACE, Objective.maximize("throughput"), List.of(Constraint.atMost("p99_ms", 50)));
    List<Observation> history = List.of(
        Observation.succeeded("fast-but-slow-tail", Map.of("batch", 64), Map.of("throughput", 900.0, "p99_ms", 80.0)),
        Observation.succeeded("good", Map.of("batch", 16), Map.of("throughput", 600.0, "p99_ms", 45.0)),
        Observation.succeeded("no-latency", Map.of("batch", 32), Map.of("throughput", 700.0)),
        Observation.failed("failed", Map.of("batch", 8)),
        Observation.succeeded("worse", Map.of("batch", 4), Map.of("throughput", 300.0, "p99_ms", 20.0)));

    assertThat(Best.of(study, history)).get().extracting(Observation::id).isEqualTo("good");
  }

  @Test
  void minimisesWhenAskedAndTheEarliestWinsATie() {
    Study study = new Study(SPACE, Objective.minimize("latency"));
    List<Observation> history = List.of(
        Observation.succeeded("a", Map.of("batch", 1), Map.of("latency", 5.0)),
        Observation.succeeded("b", Map.of("batch", 2), Map.of("latency", 3.0)),
        Observation.succeeded("c", Map.of("batch", 3), Map.of("latency", 3.0)));

    assertThat(Best.of(study, history)).get().extracting(Observation::id).isEqualTo("b");
  }

  @Test
  void noFeasibleTrialMeansNoBest() {
    Study study = new Study(SPACE, Objective.minimize("latency"), List.of(Constraint.atLeast("accuracy", 0.9)));
    List<Observation> history = List.of(
        Observation.succeeded("a", Map.of("batch", 1), Map.of("latency", 5.0, "accuracy", 0.8)),
        Observation.running("b", Map.of("batch", 2), List.of()));

    assertThat(Best.of(study, history)).isEmpty();
  }
}
