package io.modelpilot.operator.rollout.core;

/**
 * A metric's values for the canary and for stable over the same window.
 *
 * @param canary the canary's value; null when there was no data
 * @param stable stable's value; null when there was no data
 * @param canarySamples what the value rests on for the canary: requests, or feedback for accuracy
 * @param stableSamples the same for stable
 * @param unavailable why nothing could be measured (e.g. "Prometheus unreachable: connect timed out"); null when
 *     the values were queried
 */
public record Measurement(Double canary, Double stable, long canarySamples, long stableSamples,
    String unavailable) {

  public Measurement {
    if (canarySamples < 0 || stableSamples < 0) {
      throw new IllegalArgumentException(
          "sample counts must be >= 0, got canary " + canarySamples + ", stable " + stableSamples);
    }
  }

  public static Measurement of(Double canary, long canarySamples, Double stable, long stableSamples) {
    return new Measurement(canary, stable, canarySamples, stableSamples, null);
  }

  public static Measurement unavailable(String reason) {
    return new Measurement(null, null, 0, 0, reason);
  }
}
