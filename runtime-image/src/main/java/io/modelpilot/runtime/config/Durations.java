package io.modelpilot.runtime.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations ("2ms", "500us", "1m30s"), as ModelDeployment.spec uses them. */
public final class Durations {

  private static final Pattern WHOLE = Pattern.compile("^([0-9]+(\\.[0-9]+)?(ns|us|µs|μs|ms|s|m|h))+$");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|μs|ms|s|m|h)");

  private Durations() {
  }

  /** @param setting the variable named in the error */
  public static Duration parse(String setting, String text) {
    if (text == null || !WHOLE.matcher(text.trim()).matches()) {
      throw new IllegalArgumentException(setting + " must be a duration such as 2ms or 500us, got: " + text);
    }
    Matcher m = PART.matcher(text.trim());
    double nanos = 0;
    while (m.find()) {
      nanos += Double.parseDouble(m.group(1)) * switch (m.group(2)) {
        case "ns" -> 1d;
        case "us", "µs", "μs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
    }
    return Duration.ofNanos(Math.round(nanos));
  }
}
