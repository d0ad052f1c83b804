package io.modelpilot.operator.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.hipparchus.exception.MathIllegalArgumentException;
import org.hipparchus.exception.MathIllegalStateException;
import org.hipparchus.optim.InitialGuess;
import org.hipparchus.optim.MaxEval;
import org.hipparchus.optim.SimpleBounds;
import org.hipparchus.optim.nonlinear.scalar.GoalType;
import org.hipparchus.optim.nonlinear.scalar.ObjectiveFunction;
import org.hipparchus.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;
import org.hipparchus.random.SobolSequenceGenerator;

/**
 * Hyper-parameters by maximum marginal likelihood (with a weak prior on length scales, see {@link #PRIOR_SHAPE}): one
 * log length scale per parameter (a categorical's one-hot
 * columns share one), the log signal variance and the log noise variance, over boxes that keep the problem sane for
 * standardised outputs on the unit cube. BOBYQA (Powell's bounded, derivative-free trust-region method) from a
 * default guess and Sobol-spread restarts; the best optimum wins.
 */
final class HyperparameterFit {

  static final double MIN_LENGTH = 0.01;
  static final double MAX_LENGTH = 20;
  static final double MIN_VARIANCE = 0.05;
  static final double MAX_VARIANCE = 20;
  /**
   * Noise floor (standardised units) for noiseless objectives. 1e-6 made the model blind to differences below about
   * 1e-3 standard deviations, which on Branin (values 0.4..300) is 0.05: the final approach to the minimum crawled.
   * The GP adds jitter itself when a matrix is not positive definite.
   */
  static final double MIN_NOISE = 1e-9;
  static final double MAX_NOISE = 1;
  private static final int MAX_EVALUATIONS = 400;
  /**
   * A Gamma(3, 6) prior on each length scale (mode 1/3 of the unit cube, as BoTorch's default), added to the log
   * marginal likelihood. With a few dozen points, plain maximum likelihood often puts length scales on their bounds:
   * a parameter declared irrelevant, or a surface declared nearly quadratic, after which EI stalls (Branin sat on
   * the boundary point (10, 3) for 30 trials). The prior is weak enough that data overrule it.
   */
  static final double PRIOR_SHAPE = 3;
  static final double PRIOR_RATE = 6;

  record Fitted(GaussianProcess process, double[] lengthScalesByParameter) {
  }

  private HyperparameterFit() {
  }

  /**
   * @param parameterOf for each input column, the parameter whose length scale it uses
   * @param restarts starts besides the default guess
   */
  static Fitted fit(double[][] x, double[] y, int[] parameterOf, int parameters, int restarts) {
    int dims = parameters + 2;
    double[] lowerBound = new double[dims];
    double[] upperBound = new double[dims];
    for (int i = 0; i < parameters; i++) {
      lowerBound[i] = Math.log(MIN_LENGTH);
      upperBound[i] = Math.log(MAX_LENGTH);
    }
    lowerBound[parameters] = Math.log(MIN_VARIANCE);
    upperBound[parameters] = Math.log(MAX_VARIANCE);
    lowerBound[parameters + 1] = Math.log(MIN_NOISE);
    upperBound[parameters + 1] = Math.log(MAX_NOISE);

    List<double[]> starts = new ArrayList<>();
    double[] guess = new double[dims];
    Arrays.fill(guess, 0, parameters, Math.log(0.3));
    guess[parameters] = 0;
    guess[parameters + 1] = Math.log(1e-3);
    starts.add(guess);
    // spread over the central part of the box: its corners are degenerate fits not worth starting from
    SobolSequenceGenerator sobol = new SobolSequenceGenerator(dims);
    sobol.nextVector();
    for (int r = 0; r < restarts; r++) {
      double[] u = sobol.nextVector();
      double[] s = new double[dims];
      for (int i = 0; i < parameters; i++) {
        s[i] = Math.log(0.05) + u[i] * (Math.log(3) - Math.log(0.05));
      }
      s[parameters] = Math.log(0.3) + u[parameters] * (Math.log(3) - Math.log(0.3));
      s[parameters + 1] = Math.log(MIN_NOISE) + u[parameters + 1] * (Math.log(1e-2) - Math.log(MIN_NOISE));
      starts.add(s);
    }

    double[] best = null;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (double[] start : starts) {
      Tracker tracker = new Tracker(x, y, parameterOf, parameters);
      try {
        new BOBYQAOptimizer(2 * dims + 1, 0.5, 1e-3).optimize(new MaxEval(MAX_EVALUATIONS),
            new ObjectiveFunction(tracker::value), GoalType.MAXIMIZE, new InitialGuess(start),
            new SimpleBounds(lowerBound, upperBound));
      } catch (MathIllegalStateException e) {
        // evaluation budget spent: the tracker keeps the best point seen, which is what we want anyway
      }
      if (tracker.bestValue > bestValue) {
        bestValue = tracker.bestValue;
        best = tracker.best;
      }
    }
    if (best == null) {
      // nothing was positive definite: fall back to a heavily regularised guess, which always is
      best = guess.clone();
      best[parameters + 1] = Math.log(MAX_NOISE);
    }
    GaussianProcess process = GaussianProcess.fitWithJitter(x, y, kernel(best, parameterOf, parameters),
        Math.exp(best[parameters + 1]));
    return new Fitted(process, lengthScales(best, parameters));
  }

  static GaussianProcess process(double[][] x, double[] y, double[] theta, int[] parameterOf, int parameters) {
    return GaussianProcess.fit(x, y, kernel(theta, parameterOf, parameters), Math.exp(theta[parameters + 1]));
  }

  private static Matern52 kernel(double[] theta, int[] parameterOf, int parameters) {
    double[] perColumn = new double[parameterOf.length];
    for (int c = 0; c < perColumn.length; c++) {
      perColumn[c] = Math.exp(theta[parameterOf[c]]);
    }
    return new Matern52(perColumn, Math.exp(theta[parameters]));
  }

  private static double[] lengthScales(double[] theta, int parameters) {
    double[] l = new double[parameters];
    for (int i = 0; i < parameters; i++) {
      l[i] = Math.exp(theta[i]);
    }
    return l;
  }

  /** The objective for BOBYQA, remembering the best point it was shown. */
  private static final class Tracker {
    private final double[][] x;
    private final double[] y;
    private final int[] parameterOf;
    private final int parameters;
    double[] best;
    double bestValue = Double.NEGATIVE_INFINITY;

    Tracker(double[][] x, double[] y, int[] parameterOf, int parameters) {
      this.x = x;
      this.y = y;
      this.parameterOf = parameterOf;
      this.parameters = parameters;
    }

    double value(double[] theta) {
      double v;
      try {
        v = process(x, y, theta, parameterOf, parameters).logMarginalLikelihood();
        for (int i = 0; i < parameters; i++) {
          v += (PRIOR_SHAPE - 1) * theta[i] - PRIOR_RATE * Math.exp(theta[i]);
        }
      } catch (MathIllegalArgumentException e) {
        // not positive definite at these hyper-parameters: a very poor, finite value keeps BOBYQA's model usable
        return -1e10;
      }
      if (!Double.isFinite(v)) {
        return -1e10;
      }
      if (v > bestValue) {
        bestValue = v;
        best = theta.clone();
      }
      return v;
    }
  }
}
