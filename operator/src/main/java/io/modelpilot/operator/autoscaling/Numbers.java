package io.modelpilot.operator.autoscaling;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

final class Numbers {

  private Numbers() {
  }

  /**
   * Rounds up, forgiving floating-point noise: 150 / 50 * 1 may come out as 3.0000000000000004, and a reading
   * that is exactly on a whole number of replicas must not ask for one more.
   */
  static int ceil(double replicas) {
    return (int) Math.min(Integer.MAX_VALUE, Math.ceil(replicas - 1e-9));
  }

  /** Enough digits to compare with a target at a glance: 81, 4.3, 0.72, 0.0035. */
  static String format(double x) {
    double abs = Math.abs(x);
    BigDecimal rounded;
    if (abs >= 10) {
      rounded = BigDecimal.valueOf(x).setScale(0, RoundingMode.HALF_UP);
    } else if (abs >= 1) {
      rounded = BigDecimal.valueOf(x).setScale(1, RoundingMode.HALF_UP);
    } else {
      rounded = BigDecimal.valueOf(x).round(new MathContext(2, RoundingMode.HALF_UP));
    }
    return rounded.stripTrailingZeros().toPlainString();
  }
}
