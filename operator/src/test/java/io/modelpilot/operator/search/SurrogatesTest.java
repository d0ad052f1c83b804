package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SurrogatesTest {

  private static final SearchSpace LINE = SearchSpace.of(Parameter.real("x", 0, 1));
  private static final Encoding ENCODING = new Encoding(LINE);

  private static List<Observation> observed(double... xs) {
    List<Observation> out = new ArrayList<>();
    for (double x : xs) {
      // the cost is lowest at x = 0.4; the tail latency rises with x
      out.add(Observation.succeeded("t" + out.size(), Map.of("x", x),
          Map.of("cost", (x - 0.4) * (x - 0.4), "p99", 100 * x)));
    }
    return out;
  }

  private static double acquisition(Study study, List<Observation> history, double x) {
    return Surrogates.fit(study, History.of(study, history), ENCODING, 1).acquisition(new double[] {x});
  }

  @Test
  void aConstraintLikelyViolatedLowersTheAcquisitionThereAndOnlyThere() {
    // the best results (x = 0.3 and 0.5) are feasible, so both studies improve on the same incumbent
    List<Observation> history = observed(0.1, 0.3, 0.5, 0.7, 0.9);
    Study free = new Study(LINE, Objective.minimize("cost"));
    Study limited = new Study(LINE, Objective.minimize("cost"), List.of(Constraint.atMost("p99", 60)));

    // between the observed 70 and 90 ms, the p99 at x = 0.8 is surely over 60
    assertThat(acquisition(limited, history, 0.8)).isLessThan(acquisition(free, history, 0.8) - 5);
    // at x = 0.2 it is surely about 20: feasibility costs next to nothing
    assertThat(acquisition(limited, history, 0.2)).isCloseTo(acquisition(free, history, 0.2), within(0.01));
  }

  @Test
  void failuresTeachAFeasibilityModelAndStayOutOfTheObjectiveFit() {
    Study study = new Study(LINE, Objective.minimize("cost"));
    List<Observation> history = observed(0.1, 0.3, 0.5);
    history.add(Observation.failed("oom-1", Map.of("x", 0.8)));
    history.add(Observation.failed("oom-2", Map.of("x", 0.9)));

    Surrogates models = Surrogates.fit(study, History.of(study, history), ENCODING, 1);

    assertThat(models.summary).startsWith("GP on 3 results").endsWith("1 feasibility model(s)");
    double nearFailures = models.acquisition(new double[] {0.85});
    double withoutFailures = Surrogates.fit(study, History.of(study, observed(0.1, 0.3, 0.5)), ENCODING, 1)
        .acquisition(new double[] {0.85});
    assertThat(nearFailures).isLessThan(withoutFailures - 1);
  }

  @Test
  void theBelieverMakesAChosenPointUnattractive() {
    Study study = new Study(LINE, Objective.minimize("cost"));
    Surrogates models = Surrogates.fit(study, History.of(study, observed(0.1, 0.4, 0.7)), ENCODING, 1);

    Surrogates after = models.believe(new double[] {0.95});

    assertThat(after.acquisition(new double[] {0.95})).isLessThan(models.acquisition(new double[] {0.95}) - 5);
  }
}
