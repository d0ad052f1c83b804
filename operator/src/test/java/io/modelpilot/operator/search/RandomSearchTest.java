package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RandomSearchTest {

  private static final Study MIXED = new Study(SearchSpace.of(Parameter.integer("threads", 1, 16),
      Parameter.logReal("lr", 1e-5, 1e-1), Parameter.categorical("precision", "fp32", "fp16", "int8")),
      Objective.minimize("latency"));

  @Test
  void sameSeedAndHistoryGiveTheSamePointsAndAnotherSeedOthers() {
    List<Observation> history = List.of(Observation.succeeded("t0",
        Map.of("threads", 4, "lr", 0.01, "precision", "fp16"), Map.of("latency", 12.0)));

    Suggestions a = new RandomSearch().suggest(MIXED, history, 3, 42);
    Suggestions b = new RandomSearch().suggest(MIXED, history, 3, 42);
    Suggestions c = new RandomSearch().suggest(MIXED, history, 3, 43);

    assertThat(a).isEqualTo(b);
    assertThat(c.points()).isNotEqualTo(a.points());
  }

  @Test
  void staysInBoundsAndIsLogUniformOnALogScale() {
    List<Point> points = new RandomSearch().suggest(MIXED, List.of(), 2000, 5).points();

    assertThat(points).allSatisfy(p -> {
      assertThat((Long) p.get("threads")).isBetween(1L, 16L);
      assertThat((Double) p.get("lr")).isBetween(1e-5, 1e-1);
    });
    long belowGeometricMiddle = points.stream().filter(p -> (Double) p.get("lr") < 1e-3).count();
    assertThat(belowGeometricMiddle).isBetween(900L, 1100L);
    assertThat(points.stream().map(p -> p.get("precision")).distinct()).hasSize(3);
  }

  @Test
  void neverRepeatsAPointAndStopsWhenTheSpaceIsUsedUp() {
    Study small = new Study(SearchSpace.of(Parameter.integer("a", 1, 3), Parameter.categorical("b", "x", "y")),
        Objective.minimize("latency"));
    List<Observation> history = new ArrayList<>();
    history.add(Observation.failed("t0", Map.of("a", 1, "b", "x")));

    Suggestions first = new RandomSearch().suggest(small, history, 4, 1);
    first.points().forEach(p -> history.add(Observation.pending("t" + history.size(), p.values())));
    Suggestions rest = new RandomSearch().suggest(small, history, 4, 1);

    assertThat(first.points()).hasSize(4);
    assertThat(rest.points()).hasSize(1);
    assertThat(rest.reason()).isEqualTo("random: all 6 points of the space have been proposed");
    List<Point> all = new ArrayList<>(first.points());
    all.addAll(rest.points());
    assertThat(new HashSet<>(all)).hasSize(5).doesNotContain(small.space().point(Map.of("a", 1, "b", "x")));
  }
}
