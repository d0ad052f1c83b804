package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SearchSpaceTest {

  @Test
  void refusesAnEmptySpace() {
    assertThatThrownBy(() -> new SearchSpace(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the search space has no parameters");
  }

  @Test
  void refusesDuplicateNames() {
    assertThatThrownBy(() -> SearchSpace.of(Parameter.integer("threads", 1, 8), Parameter.real("threads", 0, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parameter 'threads' is defined more than once");
  }

  @Test
  void refusesMinAboveMax() {
    assertThatThrownBy(() -> Parameter.of("batch", "int", 64.0, 8.0, null, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("parameter 'batch': min 64 > max 8");
    assertThatThrownBy(() -> Parameter.real("rate", 2, 1)).hasMessage("parameter 'rate': min 2.0 > max 1.0");
  }

  @Test
  void refusesANonPositiveStep() {
    assertThatThrownBy(() -> Parameter.of("batch", "int", 1.0, 8.0, 0.0, null, null))
        .hasMessage("parameter 'batch': step must be > 0, got 0");
    assertThatThrownBy(() -> Parameter.of("rate", "double", 0.0, 1.0, -0.1, null, null))
        .hasMessage("parameter 'rate': step must be > 0, got -0.1");
  }

  @Test
  void refusesALogScaleThatReachesZero() {
    assertThatThrownBy(() -> Parameter.of("lr", "double", 0.0, 1.0, null, null, true))
        .hasMessage("parameter 'lr': log scale needs min > 0, got 0.0");
    assertThatThrownBy(() -> new Parameter.Int("batch", -1, 8, 1, true))
        .hasMessage("parameter 'batch': log scale needs min > 0, got -1");
  }

  @Test
  void refusesACategoricalWithoutValues() {
    assertThatThrownBy(() -> Parameter.of("precision", "categorical", null, null, null, List.of(), null))
        .hasMessage("parameter 'precision': a categorical parameter needs at least one value");
    assertThatThrownBy(() -> Parameter.categorical("precision", "fp16", "fp16"))
        .hasMessage("parameter 'precision': values must be distinct, got [fp16, fp16]");
  }

  @Test
  void refusesFieldsThatDoNotFitTheType() {
    assertThatThrownBy(() -> Parameter.of("batch", "int", 1.5, 8.0, null, null, null))
        .hasMessage("parameter 'batch': min of an int parameter must be a whole number, got 1.5");
    assertThatThrownBy(() -> Parameter.of("batch", "int", null, 8.0, null, null, null))
        .hasMessage("parameter 'batch': a numeric parameter needs min and max");
    assertThatThrownBy(() -> Parameter.of("mode", "categorical", 1.0, null, null, List.of("a"), null))
        .hasMessage("parameter 'mode': a categorical parameter takes values, not min/max/step/logScale");
    assertThatThrownBy(() -> Parameter.of("mode", "string", null, null, null, List.of("a"), null))
        .hasMessage("parameter 'mode': type must be int, double or categorical, got 'string'");
  }

  @Test
  void parsesPointsFromValuesOrTheirText() {
    SearchSpace space = SearchSpace.of(Parameter.integer("batch", 1, 64), Parameter.of("rate", "double", 0.0, 1.0,
        0.1, null, false), Parameter.categorical("precision", "fp32", "fp16"));

    Point fromText = space.point(Map.of("batch", "16", "rate", "0.30000000000000004", "precision", "fp16"));
    Point fromValues = space.point(Map.of("batch", 16, "rate", 0.3, "precision", "fp16"));

    assertThat(fromText).isEqualTo(fromValues);
    assertThat(fromText.values()).containsExactly(Map.entry("batch", 16L), Map.entry("rate", 0.3),
        Map.entry("precision", "fp16"));
    assertThat(fromText.asStrings()).containsExactly(Map.entry("batch", "16"), Map.entry("rate", "0.3"),
        Map.entry("precision", "fp16"));
  }

  @Test
  void refusesPointsThatDoNotFitNamingTheParameter() {
    SearchSpace space = SearchSpace.of(Parameter.integer("batch", 1, 64), Parameter.categorical("precision", "fp32"));

    assertThatThrownBy(() -> space.point(Map.of("batch", 100, "precision", "fp32")))
        .hasMessage("parameter 'batch': 100 is not one of 1..64 step 1");
    assertThatThrownBy(() -> space.point(Map.of("batch", 2, "precision", "int8")))
        .hasMessage("parameter 'precision': 'int8' is not one of [fp32]");
    assertThatThrownBy(() -> space.point(Map.of("batch", 2)))
        .hasMessageStartingWith("parameter 'precision' has no value");
    assertThatThrownBy(() -> space.point(Map.of("batch", 2, "precision", "fp32", "extra", 1)))
        .hasMessage("'extra' is not a parameter of the search space");
  }

  @Test
  void countsFiniteSpacesAndKnowsContinuousOnesAreNot() {
    assertThat(SearchSpace.of(Parameter.of("batch", "int", 8.0, 64.0, 8.0, null, null),
        Parameter.categorical("precision", "fp32", "fp16", "int8")).finiteSize()).hasValue(24);
    assertThat(SearchSpace.of(Parameter.of("rate", "double", 0.0, 1.0, 0.1, null, null)).finiteSize()).hasValue(11);
    assertThat(SearchSpace.of(Parameter.integer("batch", 1, 8), Parameter.real("rate", 0, 1)).finiteSize()).isEmpty();
  }
}
