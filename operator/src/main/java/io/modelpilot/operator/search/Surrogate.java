package io.modelpilot.operator.search;

/**
 * A GP over one quantity (the loss, a constraint's excess, failure) in its own units: values are standardised before
 * the fit and predictions scaled back, so one set of hyper-parameter bounds suits every metric.
 */
final class Surrogate {

  private final GaussianProcess process;
  private final double mean;
  private final double scale;
  final double[] lengthScales;

  private Surrogate(GaussianProcess process, double mean, double scale, double[] lengthScales) {
    this.process = process;
    this.mean = mean;
    this.scale = scale;
    this.lengthScales = lengthScales;
  }

  static Surrogate fit(double[][] x, double[] values, Encoding encoding, int restarts) {
    double mean = 0;
    for (double v : values) {
      mean += v;
    }
    mean /= values.length;
    double variance = 0;
    for (double v : values) {
      variance += (v - mean) * (v - mean);
    }
    double sd = Math.sqrt(variance / values.length);
    // all values equal: any scale will do, and 1 keeps the arithmetic finite
    double scale = sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1;
    double[] y = new double[values.length];
    for (int i = 0; i < y.length; i++) {
      y[i] = (values[i] - mean) / scale;
    }
    HyperparameterFit.Fitted fitted =
        HyperparameterFit.fit(x, y, encoding.parameterOf, encoding.parameters(), restarts);
    return new Surrogate(fitted.process(), mean, scale, fitted.lengthScalesByParameter());
  }

  /** {mean, standard deviation} of the quantity at {@code at}. */
  double[] predict(double[] at) {
    double[] p = process.predict(at);
    return new double[] {mean + scale * p[0], scale * Math.sqrt(p[1])};
  }

  /** Kriging believer: the surrogate with its own prediction at {@code at} taken as observed. */
  Surrogate believe(double[] at) {
    double[] p = process.predict(at);
    return new Surrogate(process.plus(at, p[0]), mean, scale, lengthScales);
  }
}
