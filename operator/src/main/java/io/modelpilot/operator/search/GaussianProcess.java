package io.modelpilot.operator.search;

import java.util.Arrays;

import org.hipparchus.exception.MathIllegalArgumentException;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.ArrayRealVector;
import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.MatrixUtils;
import org.hipparchus.linear.RealMatrix;
import org.hipparchus.linear.RealVector;

/**
 * A zero-mean Gaussian process conditioned on observations ({@code y} already standardised), with Gaussian noise of
 * variance {@code noise}. Immutable: {@link #plus} returns a new process, which is how fantasised observations for
 * in-flight trials enter without touching the fitted one.
 */
final class GaussianProcess {

  private static final double LOG_2PI = Math.log(2 * Math.PI);

  final double[][] x;
  final double[] y;
  final Matern52 kernel;
  final double noise;
  private final RealMatrix lower;
  private final RealVector alpha;
  private final double logLikelihood;

  private GaussianProcess(double[][] x, double[] y, Matern52 kernel, double noise, CholeskyDecomposition cholesky) {
    this.x = x;
    this.y = y;
    this.kernel = kernel;
    this.noise = noise;
    int n = x.length;
    lower = cholesky.getL();
    alpha = cholesky.getSolver().solve(new ArrayRealVector(y, false));
    double logDet = 0;
    for (int i = 0; i < n; i++) {
      logDet += Math.log(lower.getEntry(i, i));
    }
    logLikelihood = -0.5 * alpha.dotProduct(new ArrayRealVector(y, false)) - logDet - 0.5 * n * LOG_2PI;
  }

  /** Throws MathIllegalArgumentException when K is not positive definite (the fit then rejects the guess). */
  static GaussianProcess fit(double[][] x, double[] y, Matern52 kernel, double noise) {
    return new GaussianProcess(x, y, kernel, noise, cholesky(x, kernel, noise));
  }

  /**
   * As {@link #fit}, adding jitter until K is positive definite: for fantasised points, which must not fail the
   * suggestion however close they come to an observed one.
   */
  static GaussianProcess fitWithJitter(double[][] x, double[] y, Matern52 kernel, double noise) {
    double n = noise;
    for (int attempt = 0; ; attempt++) {
      try {
        return new GaussianProcess(x, y, kernel, n, cholesky(x, kernel, n));
      } catch (MathIllegalArgumentException e) {
        if (attempt == 6) {
          throw e;
        }
        n = Math.max(10 * n, 1e-8 * kernel.variance());
      }
    }
  }

  private static CholeskyDecomposition cholesky(double[][] x, Matern52 kernel, double noise) {
    int n = x.length;
    double[][] k = new double[n][n];
    for (int i = 0; i < n; i++) {
      k[i][i] = kernel.variance() + noise;
      for (int j = 0; j < i; j++) {
        k[i][j] = kernel.value(x[i], x[j]);
        k[j][i] = k[i][j];
      }
    }
    return new CholeskyDecomposition(new Array2DRowRealMatrix(k, false), 1e-12, 1e-12);
  }

  double logMarginalLikelihood() {
    return logLikelihood;
  }

  /** {mean, variance} of the latent function at {@code at} (noise excluded). */
  double[] predict(double[] at) {
    int n = x.length;
    double[] ks = new double[n];
    double mean = 0;
    for (int i = 0; i < n; i++) {
      ks[i] = kernel.value(at, x[i]);
      mean += ks[i] * alpha.getEntry(i);
    }
    RealVector v = new ArrayRealVector(ks, false);
    MatrixUtils.solveLowerTriangularSystem(lower, v);
    double variance = kernel.variance() - v.dotProduct(v);
    return new double[] {mean, Math.max(variance, 1e-12 * kernel.variance())};
  }

  /** The process with one more observation, same hyper-parameters. */
  GaussianProcess plus(double[] at, double value) {
    double[][] x2 = Arrays.copyOf(x, x.length + 1);
    x2[x.length] = at;
    double[] y2 = Arrays.copyOf(y, y.length + 1);
    y2[y.length] = value;
    return fitWithJitter(x2, y2, kernel, noise);
  }
}
