package io.modelpilot.operator.common;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;

/** How numbers and durations read in decisions, judgements and status messages. */
public final class Numbers {

  private Numbers() {
  }

  /**
   * Rounds up, forgiving floating-point noise: 150 / 50 * 1 may come out as 3.0000000000000004, and a reading
   * that is exactly on a whole number of replicas must not ask for one more.
   */
  public static int ceil(double replicas) {
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(replicas - 1e-9));
  }

  /** Enough digits to compare with a target at a glance: 81, 4.3, 0.72, 0.0035 (scaling decisions). */
  public static String format(double x) {
    return readable(x, 10, 1);
  }

  /** One more digit, for thresholds a canary is judged by: 81, 4.3, 1.82, 0.052, 0.0035. */
  public static String precise(double x) {
    return readable(x, 100, 2);
  }

  /**
   * @param wholeFrom from this magnitude up, no decimals
   * @param decimals decimals between 1 and {@code wholeFrom}; below 1, two significant digits
   */
  public static String readable(double x, double wholeFrom, int decimals) {
    if (!Double.isFinite(x)) {
      return String.valueOf(x);
    }
    double abs = Math.abs(x);
    BigDecimal rounded;
    if (abs >= wholeFrom) {
      rounded = BigDecimal.valueOf(x).setScale(0, RoundingMode.HALF_UP);
    } else if (abs >= 1) {
      rounded = BigDecimal.valueOf(x).setScale(decimals, RoundingMode.HALF_UP);
    } else {
      rounded = BigDecimal.valueOf(x).round(new MathContext(2, RoundingMode.HALF_UP));
    }
    return rounded.stripTrailingZeros().toPlainString();
  }

  /** As a spec would say it: 90s, 2m, 1h30m. */
  public static String duration(Duration d) {
    long seconds = d.toSeconds();
    if (seconds == 0) {
      return d.isZero() ? "0s" : d.toMillis() + "ms";
    }
    StringBuilder out = new StringBuilder();
    long hours = seconds / 3600;
    long minutes = seconds % 3600 / 60;
    long rest = seconds % 60;
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (minutes > 0) {
      out.append(minutes).append('m');
    }
    if (rest > 0) {
      out.append(rest).append('s');
    }
    return out.toString();
  }
}
