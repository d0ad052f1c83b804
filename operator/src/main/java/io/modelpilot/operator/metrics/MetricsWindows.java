package io.modelpilot.operator.metrics;

import java.time.Duration;

/**
 * How long a rate or quantile window must be for the Prometheus that scrapes the model servers. {@code rate()}
 * needs two samples inside its window; a window of one or two scrape intervals often holds fewer (scrape jitter,
 * one missed scrape, a pod that just started) and reads as no data, which pauses a canary or holds the autoscaler
 * for good. Four intervals is the usual floor (Grafana's {@code $__rate_interval} is at least four scrape
 * intervals), so every window the operator queries is at least {@value #SCRAPES_PER_WINDOW} scrape intervals.
 *
 * @param scrapeInterval the interval Prometheus scrapes the model-server pods at
 */
public record MetricsWindows(Duration scrapeInterval) {

  public static final int SCRAPES_PER_WINDOW = 4;

  public MetricsWindows {
    if (scrapeInterval == null || scrapeInterval.isNegative() || scrapeInterval.isZero()) {
      throw new IllegalArgumentException("the Prometheus scrape interval must be positive, got " + scrapeInterval);
    }
  }

  /** The shortest window that holds enough samples. */
  public Duration minimum() {
    return scrapeInterval.multipliedBy(SCRAPES_PER_WINDOW);
  }

  /** The window to query: the one asked for, or the minimum when that is longer. */
  public Duration effective(Duration asked) {
    return raises(asked) ? minimum() : asked;
  }

  /** Whether the window asked for is below the minimum, so that {@link #effective} is longer. */
  public boolean raises(Duration asked) {
    return asked.compareTo(minimum()) < 0;
  }

  /** A window as a PromQL range, in whole seconds (at least 1s). */
  public static String range(Duration window) {
    return Math.max(1, window.toSeconds()) + "s";
  }
}
