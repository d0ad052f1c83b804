package io.modelpilot.bench;

import java.util.Arrays;

import static io.modelpilot.bench.AutoscaleBench.SCRAPE_S;

/** Scraped series of one side: the request counter (the same load for all) and its own latencies. */
final class SimulatedPrometheus {
  private final AutoscaleTrace trace;
  private final double[] counter; // requests served before second t, index t + warmup (one more at the end)
  private final double[] p99;      // each second's p99 on this side, filled as the clock advances
  private final int phase;

  SimulatedPrometheus(AutoscaleTrace trace, double[] counter, double[] p99, int phase) {
    this.trace = trace;
    this.counter = counter;
    this.p99 = p99;
    this.phase = phase;
  }

  /** Scrape instants in (t − window, t]: {first, last}, or null with fewer than two. */
  private int[] samples(int t, int window) {
    int last = t - Math.floorMod(t - phase, SCRAPE_S);
    int first = last;
    while (first - SCRAPE_S > t - window && first - SCRAPE_S >= -trace.warmup()) {
      first -= SCRAPE_S;
    }
    return first < last && first >= -trace.warmup() ? new int[] {first, last} : null;
  }

  /** sum(rate(requests[window])) at t: NaN for no data. */
  double rate(int t, int window) {
    int[] s = samples(t, window);
    if (s == null) {
      return Double.NaN;
    }
    int w = trace.warmup();
    return (counter[s[1] + w] - counter[s[0] + w]) / (s[1] - s[0]);
  }

  /** histogram_quantile(0.99, sum by (le) (rate(duration_bucket[window]))) at t in ms: NaN for no data. */
  double p99(int t, int window) {
    int[] s = samples(t, window);
    if (s == null) {
      return Double.NaN;
    }
    int w = trace.warmup();
    int n = s[1] - s[0];
    double[][] seconds = new double[n][];
    double total = 0;
    for (int k = 0; k < n; k++) {
      int i = s[0] + k + w;
      seconds[k] = new double[] {p99[i], trace.load()[i]};
      total += trace.load()[i];
    }
    if (total <= 0) {
      return Double.NaN;
    }
    Arrays.sort(seconds, (a, b) -> Double.compare(a[0], b[0]));
    double below = 0;
    for (double[] second : seconds) {
      below += second[1];
      if (below >= 0.99 * total) {
        return second[0];
      }
    }
    return seconds[n - 1][0];
  }
}
