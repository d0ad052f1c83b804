package io.modelpilot.operator.search;

import org.hipparchus.special.Erf;

/**
 * Expected improvement and probability of feasibility, all for minimisation, in closed form. The logarithms stay
 * accurate far into the tails, where EI itself underflows to zero and every candidate would look alike.
 */
final class Acquisition {

  private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
  /** Below this z the direct formulas cancel or underflow and the asymptotic series take over. */
  private static final double TAIL = -10;

  private Acquisition() {
  }

  static double normalPdf(double z) {
    return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
  }

  static double normalCdf(double z) {
    return 0.5 * Erf.erfc(-z / Math.sqrt(2));
  }

  /** E[max(best − f, 0)] for f ~ N(mean, sd²): sd (z Φ(z) + φ(z)), z = (best − mean) / sd. */
  static double expectedImprovement(double mean, double sd, double best) {
    if (sd <= 0) {
      return Math.max(best - mean, 0);
    }
    double z = (best - mean) / sd;
    return sd * (z * normalCdf(z) + normalPdf(z));
  }

  static double logExpectedImprovement(double mean, double sd, double best) {
    if (sd <= 0) {
      return Math.log(Math.max(best - mean, 0));
    }
    double z = (best - mean) / sd;
    if (z > TAIL) {
      return Math.log(sd) + Math.log(z * normalCdf(z) + normalPdf(z));
    }
    // z Φ(z) + φ(z) = φ(z) (1/z² − 3/z⁴ + 15/z⁶ − 105/z⁸ + 945/z¹⁰ …) for z → −∞
    double w = 1 / (z * z);
    double series = w * (1 - w * (3 - w * (15 - w * (105 - w * 945))));
    return Math.log(sd) - 0.5 * z * z - LOG_SQRT_2PI + Math.log(series);
  }

  /** log P(f ≤ limit) for f ~ N(mean, sd²). */
  static double logProbabilityAtMost(double mean, double sd, double limit) {
    if (sd <= 0) {
      return mean <= limit ? 0 : Double.NEGATIVE_INFINITY;
    }
    double z = (limit - mean) / sd;
    if (z > TAIL) {
      return Math.log(normalCdf(z));
    }
    // Φ(z) = φ(z) / |z| (1 − 1/z² + 3/z⁴ − 15/z⁶ …) for z → −∞
    double w = 1 / (z * z);
    double series = 1 - w * (1 - w * (3 - w * 15));
    return -0.5 * z * z - LOG_SQRT_2PI - Math.log(-z) + Math.log(series);
  }
}
