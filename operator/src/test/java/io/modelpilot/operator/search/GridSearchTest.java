package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class GridSearchTest {

  private static final Study STUDY = new Study(SearchSpace.of(Parameter.of("batch", "int", 8.0, 24.0, 8.0, null, null),
      Parameter.categorical("precision", "fp32", "fp16")), Objective.minimize("latency"));

  @Test
  void walksEveryCombinationLastParameterFastest() {
    Suggestions s = new GridSearch().suggest(STUDY, List.of(), 10, 1);

    assertThat(s.points()).extracting(Point::asStrings).containsExactly(
        Map.of("batch", "8", "precision", "fp32"), Map.of("batch", "8", "precision", "fp16"),
        Map.of("batch", "16", "precision", "fp32"), Map.of("batch", "16", "precision", "fp16"),
        Map.of("batch", "24", "precision", "fp32"), Map.of("batch", "24", "precision", "fp16"));
    assertThat(s.reason()).isEqualTo("grid: exhausted, all 6 points have been proposed");
  }

  @Test
  void continuesAfterWhatTheHistoryHoldsWhateverItsStateAndIgnoresTheSeed() {
    List<Observation> history = List.of(
        Observation.succeeded("t0", Map.of("batch", "8", "precision", "fp32"), Map.of("latency", 3.0)),
        Observation.failed("t1", Map.of("batch", "8", "precision", "fp16")),
        Observation.pending("t2", Map.of("batch", "16", "precision", "fp16")));

    Suggestions s = new GridSearch().suggest(STUDY, history, 2, 99);

    assertThat(s.points()).extracting(Point::asStrings).containsExactly(Map.of("batch", "16", "precision", "fp32"),
        Map.of("batch", "24", "precision", "fp32"));
    assertThat(s.reason()).isEqualTo("grid: next in order of 6 points");
    assertThat(new GridSearch().suggest(STUDY, history, 2, 7)).isEqualTo(s);
  }

  @Test
  void anExhaustedGridSuggestsNothing() {
    List<Observation> history = new ArrayList<>();
    for (Point p : new GridSearch().suggest(STUDY, List.of(), 6, 1).points()) {
      history.add(Observation.succeeded("t" + history.size(), p.values(), Map.of("latency", 1.0)));
    }

    Suggestions s = new GridSearch().suggest(STUDY, history, 3, 1);

    assertThat(s.points()).isEmpty();
    assertThat(s.exhausted(3)).isTrue();
  }

  @Test
  void refusesAGridOverTheLimitStatingItsSize() {
    Study big = new Study(SearchSpace.of(Parameter.integer("a", 1, 200), Parameter.integer("b", 1, 100)),
        Objective.minimize("latency"));

    assertThatThrownBy(() -> new GridSearch().suggest(big, List.of(), 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the grid has 20000 points, over the limit of 10000: use coarser steps or fewer values, or random "
            + "or bayesian search");
  }

  @Test
  void refusesAContinuousParameter() {
    Study continuous = new Study(SearchSpace.of(Parameter.integer("a", 1, 2), Parameter.real("rate", 0, 1)),
        Objective.minimize("latency"));

    assertThatThrownBy(() -> new GridSearch().suggest(continuous, List.of(), 1, 1))
        .hasMessage("grid search needs a step for double parameter 'rate' (or use random or bayesian search)");
  }

  @Test
  void steppedDoublesAreListedInCleanDecimals() {
    Study study = new Study(SearchSpace.of(Parameter.of("rate", "double", 0.1, 0.5, 0.1, null, null)),
        Objective.maximize("accuracy"));

    assertThat(new GridSearch().suggest(study, List.of(), 10, 1).points()).extracting(p -> p.get("rate"))
        .containsExactly(0.1, 0.2, 0.3, 0.4, 0.5);
  }
}
