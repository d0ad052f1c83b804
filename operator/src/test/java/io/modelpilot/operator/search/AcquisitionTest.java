package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AcquisitionTest {

  @Test
  void expectedImprovementMatchesTheClosedForm() {
    // z = 0: EI = σ φ(0)
    assertThat(Acquisition.expectedImprovement(0, 1, 0)).isCloseTo(0.3989422804014327, within(1e-12));
    // mean 1, sd 2, best 0: z = −0.5, EI = 2 (−0.5 Φ(−0.5) + φ(−0.5))
    assertThat(Acquisition.expectedImprovement(1, 2, 0)).isCloseTo(0.39559311480261217, within(1e-12));
    // far below the best, EI is the plain improvement
    assertThat(Acquisition.expectedImprovement(-5, 0.01, 0)).isCloseTo(5, within(1e-9));
    assertThat(Acquisition.expectedImprovement(3, 0, 1)).isZero();
  }

  @Test
  void logExpectedImprovementIsTheLogOfEiAndStaysFiniteAndMonotoneDeepInTheTail() {
    assertThat(Acquisition.logExpectedImprovement(1, 2, 0)).isCloseTo(Math.log(0.39559311480261217),
        within(1e-12));

    // either side of the switch to the asymptotic series the two formulas agree
    double justAbove = Acquisition.logExpectedImprovement(9.999999, 1, 0);
    double justBelow = Acquisition.logExpectedImprovement(10.000001, 1, 0);
    assertThat(justAbove).isCloseTo(justBelow, within(1e-4));
    // EI(z = −10) = −10 Φ(−10) + φ(10) = 7.47456e−25 (computed to 40 digits)
    assertThat(justBelow).isCloseTo(Math.log(7.474560e-25), within(1e-5));

    double previous = 0;
    for (double mean = 5; mean < 60; mean += 5) {
      double v = Acquisition.logExpectedImprovement(mean, 1, 0);
      assertThat(v).isFinite().isLessThan(previous);
      previous = v;
    }
  }

  @Test
  void probabilityOfFeasibilityIsTheNormalCdfInLogs() {
    assertThat(Acquisition.logProbabilityAtMost(0, 1, 0)).isCloseTo(Math.log(0.5), within(1e-14));
    assertThat(Math.exp(Acquisition.logProbabilityAtMost(50, 10, 60))).isCloseTo(0.8413447460685429, within(1e-12));
    assertThat(Acquisition.logProbabilityAtMost(10.000001, 1, 0))
        .isCloseTo(Acquisition.logProbabilityAtMost(9.999999, 1, 0), within(1e-4));
    assertThat(Acquisition.logProbabilityAtMost(100, 1, 0)).isFinite().isLessThan(-4000);
  }
}
