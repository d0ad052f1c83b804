package io.modelpilot.operator.search;

/**
 * The Matérn 5/2 covariance with one length scale per input column (automatic relevance determination):
 * {@code k(a, b) = σ² (1 + √5 r + 5r²/3) exp(−√5 r)}, {@code r² = Σ (a_c − b_c)² / l_c²}. Twice differentiable, so
 * smooth enough for tuning surfaces without the squared exponential's overconfidence.
 */
record Matern52(double[] lengthScales, double variance) {

  private static final double SQRT5 = Math.sqrt(5);

  static double correlation(double r) {
    double s = SQRT5 * r;
    return (1 + s + s * s / 3) * Math.exp(-s);
  }

  double value(double[] a, double[] b) {
    double r2 = 0;
    for (int c = 0; c < a.length; c++) {
      double d = (a[c] - b[c]) / lengthScales[c];
      r2 += d * d;
    }
    return variance * correlation(Math.sqrt(r2));
  }
}
