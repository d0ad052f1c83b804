package io.modelpilot.contract;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go-style durations ("2ms", "500us", "1m30s"), as Kubernetes and ModelDeployment.spec write them. One parser for
 * the CRD schema's pattern, the operator and the model server, so a value the schema admits is one both read alike.
 */
public final class Durations {

  /** The whole text: one or more number+unit parts (the CRD schema's {@code pattern}). */
  public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|μs|ms|s|m|h))+$";
  private static final Pattern WHOLE = Pattern.compile(PATTERN);
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|μs|ms|s|m|h)");

  private Durations() {
  }

  public static Duration parse(String text) {
    return parse("duration", text);
  }

  /** @param setting the field or variable named in the error */
  public static Duration parse(String setting, String text) {
    if (text == null || !WHOLE.matcher(text.trim()).matches()) {
      throw new IllegalArgumentException(setting + " must be a duration such as 2ms, 500us or 1m30s, got: " + text);
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
