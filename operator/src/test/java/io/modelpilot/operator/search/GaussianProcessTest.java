package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;

import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.RealMatrix;
import org.junit.jupiter.api.Test;

class GaussianProcessTest {

  private static final Matern52 UNIT = new Matern52(new double[] {1.0}, 1.0);

  @Test
  void logMarginalLikelihoodMatchesTheFormulaOnTwoPoints() {
    double noise = 0.01;
    GaussianProcess gp = GaussianProcess.fit(new double[][] {{0}, {1}}, new double[] {1, -1}, UNIT, noise);

    // y = (1, −1) is an eigenvector of K = [[1+n, k], [k, 1+n]] with eigenvalue 1 + n − k
    double k = Matern52.correlation(1);
    double expected = -1 / (1 + noise - k) - 0.5 * Math.log((1 + noise) * (1 + noise) - k * k)
        - Math.log(2 * Math.PI);
    assertThat(gp.logMarginalLikelihood()).isCloseTo(expected, within(1e-12));
  }

  @Test
  void predictsThePosteriorInClosedFormAndInterpolatesItsData() {
    double noise = 1e-6;
    GaussianProcess gp = GaussianProcess.fit(new double[][] {{0.2}}, new double[] {2.0}, UNIT, noise);

    double k = Matern52.correlation(0.3);
    double[] p = gp.predict(new double[] {0.5});
    assertThat(p[0]).isCloseTo(k * 2.0 / (1 + noise), within(1e-12));
    assertThat(p[1]).isCloseTo(1 - k * k / (1 + noise), within(1e-12));

    double[] atData = gp.predict(new double[] {0.2});
    assertThat(atData[0]).isCloseTo(2.0, within(1e-5));
    assertThat(atData[1]).isLessThan(1e-5);
  }

  @Test
  void fantasisedObservationsShrinkTheVarianceThereWithoutChangingTheMean() {
    GaussianProcess gp = GaussianProcess.fit(new double[][] {{0.1}, {0.9}}, new double[] {0, 1}, UNIT, 1e-6);
    double[] before = gp.predict(new double[] {0.5});

    GaussianProcess believed = gp.plus(new double[] {0.5}, before[0]);

    double[] after = believed.predict(new double[] {0.5});
    assertThat(after[0]).isCloseTo(before[0], within(1e-6));
    assertThat(after[1]).isLessThan(1e-5);
    assertThat(gp.predict(new double[] {0.5})[1]).isEqualTo(before[1]);
  }

  @Test
  void marginalLikelihoodRecoversTheLengthScaleOfSamplesFromAKnownProcess() {
    double truth = 0.2;
    int n = 60;
    double[][] x = new double[n][1];
    for (int i = 0; i < n; i++) {
      x[i][0] = (i + 0.5) / n;
    }
    double[][] k = new double[n][n];
    Matern52 kernel = new Matern52(new double[] {truth}, 1.0);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        k[i][j] = kernel.value(x[i], x[j]) + (i == j ? 1e-8 : 0);
      }
    }
    RealMatrix lower = new CholeskyDecomposition(new Array2DRowRealMatrix(k)).getL();
    double sumLog = 0;
    int draws = 3;
    for (int d = 0; d < draws; d++) {
      Random random = new Random(40 + d);
      double[] z = new double[n];
      for (int i = 0; i < n; i++) {
        z[i] = random.nextGaussian();
      }
      double[] y = lower.operate(z);

      HyperparameterFit.Fitted fitted = HyperparameterFit.fit(x, y, new int[] {0}, 1, 2);

      double fittedScale = fitted.lengthScalesByParameter()[0];
      assertThat(fittedScale).isBetween(truth / 2, truth * 2);
      sumLog += Math.log(fittedScale);
    }
    assertThat(Math.exp(sumLog / draws)).isBetween(truth / 1.4, truth * 1.4);
  }

  @Test
  void perParameterLengthScalesFindTheColumnThatDoesNotMatter() {
    Random random = new Random(3);
    int n = 40;
    double[][] x = new double[n][2];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i][0] = random.nextDouble();
      x[i][1] = random.nextDouble();
      y[i] = Math.sin(6 * x[i][0]);
    }

    double[] scales = HyperparameterFit.fit(x, y, new int[] {0, 1}, 2, 2).lengthScalesByParameter();

    assertThat(scales[1]).isGreaterThan(5 * scales[0]);
  }
}
