package io.modelpilot.operator.api.v1alpha1;

import java.time.Duration;
import java.util.regex.Matcher;

/** Kubernetes-style (Go) duration strings: "2ms", "1m30s", "500us". */
public final class Durations {

  public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";
  private static final java.util.regex.Pattern PART =
      java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)");

  private Durations() {
  }

  public static Duration parse(String text) {
    if (text == null || !text.matches(PATTERN)) {
      throw new IllegalArgumentException("not a duration (expected e.g. 2ms, 1m30s): " + text);
    }
    Matcher m = PART.matcher(text);
    double nanos = 0;
    while (m.find()) {
      double value = Double.parseDouble(m.group(1));
      nanos += value * switch (m.group(2)) {
        case "ns" -> 1d;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        case "h" -> 3600e9;
        default -> throw new IllegalStateException(m.group(2));
      };
    }
    return Duration.ofNanos(Math.round(nanos));
  }
}
