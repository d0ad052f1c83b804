package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;

import org.junit.jupiter.api.Test;

class EncodingTest {

  private static final SearchSpace SPACE = SearchSpace.of(Parameter.integer("threads", 1, 5),
      Parameter.categorical("precision", "fp32", "fp16", "int8"), new Parameter.Int("batch", 1, 64, 1, true),
      Parameter.logReal("lr", 1e-4, 1));
  private static final Encoding ENCODING = new Encoding(SPACE);

  @Test
  void numericParametersTakeOneUnitColumnAndCategoriesAOneHotBlock() {
    double[] x = ENCODING.encode(SPACE.point(Map.of("threads", 2, "precision", "fp16", "batch", 8, "lr", 0.01)));

    assertThat(ENCODING.columns).isEqualTo(6);
    assertThat(x[0]).isEqualTo(0.25);
    assertThat(new double[] {x[1], x[2], x[3]}).containsExactly(0, 1, 0);
    assertThat(x[4]).isCloseTo(Math.log(8) / Math.log(64), within(1e-12));
    assertThat(x[5]).isCloseTo(0.5, within(1e-12));
    assertThat(ENCODING.parameterOf).containsExactly(0, 1, 1, 1, 2, 3);
    assertThat(ENCODING.continuousColumn).containsExactly(false, false, false, false, false, true);
  }

  @Test
  void decodingMapsAnyVectorToTheNearestValidPoint() {
    Point p = ENCODING.decode(new double[] {0.3, 0.2, 0.1, 0.7, Math.log(7.4) / Math.log(64), 1.3});

    assertThat(p.values()).containsExactly(Map.entry("threads", 2L), Map.entry("precision", "int8"),
        Map.entry("batch", 7L), Map.entry("lr", 1.0));
    Point q = SPACE.point(Map.of("threads", 5, "precision", "fp32", "batch", 64, "lr", 1e-3));
    assertThat(ENCODING.decode(ENCODING.encode(q))).isEqualTo(q);
  }

  @Test
  void discreteNeighboursAreValidPointsOneMoveAway() {
    double[] x = ENCODING.encode(SPACE.point(Map.of("threads", 1, "precision", "fp16", "batch", 64, "lr", 0.01)));

    assertThat(ENCODING.discreteNeighbours(x)).allSatisfy(y -> {
      assertThat(ENCODING.encode(ENCODING.decode(y))).containsExactly(y);
      assertThat(ENCODING.same(x, y)).isFalse();
    }).extracting(y -> ENCODING.decode(y).asStrings()).contains(
        Map.of("threads", "2", "precision", "fp16", "batch", "64", "lr", "0.01"),
        Map.of("threads", "1", "precision", "int8", "batch", "64", "lr", "0.01"),
        Map.of("threads", "1", "precision", "fp16", "batch", "63", "lr", "0.01"));
  }
}
