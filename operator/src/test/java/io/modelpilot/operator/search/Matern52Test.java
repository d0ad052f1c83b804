package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class Matern52Test {

  @Test
  void correlationMatchesTheClosedFormOfMatern52() {
    for (double r : new double[] {0, 0.1, 0.5, 1, 2.5}) {
      double expected = (1 + Math.sqrt(5) * r + 5 * r * r / 3) * Math.exp(-Math.sqrt(5) * r);
      assertThat(Matern52.correlation(r)).isCloseTo(expected, within(1e-15));
    }
    // reference numbers: k(1) = (1 + √5 + 5/3) e^{−√5} and k(0.5) = (1 + √5/2 + 5/12) e^{−√5/2}
    assertThat(Matern52.correlation(1)).isCloseTo(0.5239941088318203, within(1e-12));
    assertThat(Matern52.correlation(0.5)).isCloseTo(0.8286491424181254, within(1e-12));
  }

  @Test
  void scalesEachColumnByItsOwnLengthScaleAndMultipliesTheVariance() {
    Matern52 k = new Matern52(new double[] {0.5, 2.0}, 3.0);

    // r² = (0.3/0.5)² + (0.8/2)² = 0.36 + 0.16 = 0.52
    double value = k.value(new double[] {0.1, 0.2}, new double[] {0.4, 1.0});

    assertThat(value).isCloseTo(3.0 * Matern52.correlation(Math.sqrt(0.52)), within(1e-14));
    assertThat(k.value(new double[] {0.4, 1.0}, new double[] {0.1, 0.2})).isEqualTo(value);
    assertThat(k.value(new double[] {0.7, 0.7}, new double[] {0.7, 0.7})).isEqualTo(3.0);
  }

  @Test
  void aLongLengthScaleMakesAColumnIrrelevant() {
    Matern52 k = new Matern52(new double[] {0.2, 1e6}, 1.0);

    assertThat(k.value(new double[] {0.5, 0.0}, new double[] {0.5, 1.0})).isCloseTo(1.0, within(1e-9));
    assertThat(k.value(new double[] {0.0, 0.5}, new double[] {1.0, 0.5})).isLessThan(1e-3);
  }
}
