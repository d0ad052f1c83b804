package io.modelpilot.bench;

import java.util.Arrays;
import java.util.List;

final class Stats {

  private Stats() {
  }

  static double percentile(long[] nanos, double q) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[index] / 1e6;
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static String f(double v) {
    return String.format(java.util.Locale.ROOT, "%.3f", v);
  }
}
