package io.modelpilot.operator.search;

import java.util.Locale;
import java.util.Objects;

/** The metric a search optimises, and which way. */
public record Objective(String metric, Direction direction) {

  public enum Direction {
    MINIMIZE, MAXIMIZE;

    /** From a spec's "minimize" / "maximize" (any case). */
    public static Direction parse(String text) {
      String t = Objects.requireNonNull(text, "direction").trim().toUpperCase(Locale.ROOT);
      return switch (t) {
        case "MINIMIZE", "MINIMISE", "MIN" -> MINIMIZE;
        case "MAXIMIZE", "MAXIMISE", "MAX" -> MAXIMIZE;
        default -> throw new IllegalArgumentException("objective direction must be minimize or maximize, got '"
            + text + "'");
      };
    }
  }

  public Objective {
    if (metric == null || metric.isBlank()) {
      throw new IllegalArgumentException("the objective needs a metric name");
    }
    Objects.requireNonNull(direction, "direction");
  }

  public static Objective minimize(String metric) {
    return new Objective(metric, Direction.MINIMIZE);
  }

  public static Objective maximize(String metric) {
    return new Objective(metric, Direction.MAXIMIZE);
  }

  /** The value with minimisation's sign: the search core always minimises this. */
  double loss(double value) {
    return direction == Direction.MINIMIZE ? value : -value;
  }

  /** Whether {@code a} is strictly better than {@code b}. */
  public boolean better(double a, double b) {
    return loss(a) < loss(b);
  }
}
