package io.modelpilot.operator.rollout.core;

/**
 * Confidence bounds for proportions that stay sound with few samples and with proportions near 0 or 1, where the
 * textbook p ± z·√(p(1−p)/n) collapses to a zero-width interval (0 errors in 50 requests is not proof of 0%).
 */
final class Proportions {

  private Proportions() {
  }

  /** Lower end of the Wilson score interval for a proportion {@code p} observed over {@code n} samples. */
  static double wilsonLower(double p, long n, double z) {
    return wilsonCentre(p, n, z) - wilsonHalfWidth(p, n, z);
  }

  /** Upper end of the Wilson score interval. */
  static double wilsonUpper(double p, long n, double z) {
    return wilsonCentre(p, n, z) + wilsonHalfWidth(p, n, z);
  }

  /**
   * Lower bound of p1 − p2 by Newcombe's hybrid score method (Newcombe 1998, method 10), which combines the two
   * Wilson intervals: (p1 − p2) − √((p1 − l1)² + (u2 − p2)²).
   */
  static double differenceLower(double p1, long n1, double p2, long n2, double z) {
    double below = p1 - wilsonLower(p1, n1, z);
    double above = wilsonUpper(p2, n2, z) - p2;
    return (p1 - p2) - Math.sqrt(below * below + above * above);
  }

  private static double wilsonCentre(double p, long n, double z) {
    double z2n = z * z / n;
    return (p + z2n / 2) / (1 + z2n);
  }

  private static double wilsonHalfWidth(double p, long n, double z) {
    double z2n = z * z / n;
    return z / (1 + z2n) * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
  }
}
