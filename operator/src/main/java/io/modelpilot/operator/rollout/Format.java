package io.modelpilot.operator.rollout;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;

/** How numbers and durations read in judgements and status messages. */
final class Format {

  private Format() {
  }

  /** Enough digits to compare with a threshold at a glance: 81, 4.3, 1.82, 0.052, 0.0035. */
  static String number(double x) {
    if (!Double.isFinite(x)) {
      return String.valueOf(x);
    }
    double abs = Math.abs(x);
    BigDecimal rounded;
    if (abs >= 100) {
      rounded = BigDecimal.valueOf(x).setScale(0, RoundingMode.HALF_UP);
    } else if (abs >= 1) {
      rounded = BigDecimal.valueOf(x).setScale(2, RoundingMode.HALF_UP);
    } else {
      rounded = BigDecimal.valueOf(x).round(new MathContext(2, RoundingMode.HALF_UP));
    }
    return rounded.stripTrailingZeros().toPlainString();
  }

  /** As a spec would say it: 90s, 2m, 1h30m. */
  static String duration(Duration d) {
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
