package io.modelpilot.operator.search;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One tunable setting. A point stores a {@link Int}'s value as a {@code Long}, a {@link Real}'s as a {@code Double}
 * and a {@link Categorical}'s as a {@code String}; {@link #parse} accepts those or their text, as a trial recorded
 * them.
 *
 * <p>Numeric parameters with a step (every {@code Int}, a {@code Real} with {@code step}) are lattices: their values
 * are {@code min + i * step} up to {@code max}. A {@code Real} without a step is continuous.
 */
public sealed interface Parameter permits Parameter.Int, Parameter.Real, Parameter.Categorical {

  String name();

  /** The value a point holds for this parameter; the message names the parameter when {@code raw} does not fit. */
  Object parse(Object raw);

  /** Number of distinct values; {@code Long.MAX_VALUE} for a continuous parameter (and for absurdly large ones). */
  long size();

  static Int integer(String name, long min, long max) {
    return new Int(name, min, max, 1, false);
  }

  static Real real(String name, double min, double max) {
    return new Real(name, min, max, null, false);
  }

  static Real logReal(String name, double min, double max) {
    return new Real(name, min, max, null, true);
  }

  static Categorical categorical(String name, String... values) {
    return new Categorical(name, List.of(values));
  }

  /**
   * A parameter from the fields a TuningJob spec carries ({@code type} is int, double or categorical; the fields the
   * type does not use must be absent). The message names the parameter and the rule it breaks.
   */
  static Parameter of(String name, String type, Double min, Double max, Double step, List<String> values,
      Boolean logScale) {
    String label = "parameter '" + name + "'";
    boolean log = Boolean.TRUE.equals(logScale);
    String kind = type == null ? "" : type.toLowerCase(Locale.ROOT);
    switch (kind) {
      case "int", "integer" -> {
        requireBounds(label, min, max);
        if (values != null && !values.isEmpty()) {
          throw new IllegalArgumentException(label + ": an int parameter takes min/max/step, not values");
        }
        return new Int(name, whole(label, "min", min), whole(label, "max", max),
            step == null ? 1 : whole(label, "step", step), log);
      }
      case "double", "float", "real" -> {
        requireBounds(label, min, max);
        if (values != null && !values.isEmpty()) {
          throw new IllegalArgumentException(label + ": a double parameter takes min/max/step, not values");
        }
        return new Real(name, min, max, step, log);
      }
      case "categorical" -> {
        if (min != null || max != null || step != null || log) {
          throw new IllegalArgumentException(label + ": a categorical parameter takes values, not min/max/step/"
              + "logScale");
        }
        return new Categorical(name, values);
      }
      default -> throw new IllegalArgumentException(label + ": type must be int, double or categorical, got '"
          + type + "'");
    }
  }

  /** Whole numbers {@code min, min + step, …} up to {@code max}; on a log scale the search treats ratios alike. */
  record Int(String name, long min, long max, long step, boolean logScale) implements Parameter {

    public Int {
      String label = label(name);
      if (min > max) {
        throw new IllegalArgumentException(label + ": min " + min + " > max " + max);
      }
      if (step <= 0) {
        throw new IllegalArgumentException(label + ": step must be > 0, got " + step);
      }
      if (logScale && min <= 0) {
        throw new IllegalArgumentException(label + ": log scale needs min > 0, got " + min);
      }
    }

    @Override
    public long size() {
      return (max - min) / step + 1;
    }

    /** The i-th value of the lattice. */
    long value(long i) {
      return min + i * step;
    }

    /** The lattice index nearest to {@code v} (values between two steps go to the nearer one). */
    long index(double v) {
      double i = Math.rint((v - min) / step);
      return (long) Math.max(0, Math.min(size() - 1, i));
    }

    @Override
    public Object parse(Object raw) {
      double v = number(label(name), raw);
      long snapped = value(index(v));
      if (v != snapped) {
        throw new IllegalArgumentException(label(name) + ": " + raw + " is not one of " + min + ".." + max
            + " step " + step);
      }
      return snapped;
    }
  }

  /**
   * Real numbers in {@code [min, max]}: continuous when {@code step} is null, else {@code min + i * step}. On a log
   * scale ({@code min > 0}) the search treats ratios alike: 1e-4..1e-3 weighs as much as 1e-2..1e-1.
   */
  record Real(String name, double min, double max, Double step, boolean logScale) implements Parameter {

    public Real {
      String label = label(name);
      if (!Double.isFinite(min) || !Double.isFinite(max)) {
        throw new IllegalArgumentException(label + ": min and max must be finite numbers, got " + min + ", " + max);
      }
      if (min > max) {
        throw new IllegalArgumentException(label + ": min " + min + " > max " + max);
      }
      if (step != null && !(step > 0 && Double.isFinite(step))) {
        throw new IllegalArgumentException(label + ": step must be > 0, got " + step);
      }
      if (logScale && min <= 0) {
        throw new IllegalArgumentException(label + ": log scale needs min > 0, got " + min);
      }
    }

    boolean continuous() {
      return step == null;
    }

    /**
     * A continuous value as a search proposes it: within bounds, and rounded to 12 significant digits so that a
     * trial's spec says 0.001 rather than the 0.0010000000000000002 that exp(log(x)) leaves.
     */
    double clean(double v) {
      double r = v == 0 || !Double.isFinite(v) ? v
          : new BigDecimal(v).round(new MathContext(12, RoundingMode.HALF_EVEN)).doubleValue();
      return Math.min(max, Math.max(min, r));
    }

    @Override
    public long size() {
      if (step == null) {
        return Long.MAX_VALUE;
      }
      // a little slack so that 0..1 step 0.1 ends on 1.0 despite binary rounding
      double steps = Math.floor((max - min) / step + 1e-9);
      return steps >= Long.MAX_VALUE - 1 ? Long.MAX_VALUE : (long) steps + 1;
    }

    /** The i-th lattice value, computed in decimal so that 0.1 step 0.1 gives 0.3 and not 0.30000000000000004. */
    double value(long i) {
      return BigDecimal.valueOf(min).add(BigDecimal.valueOf(step).multiply(BigDecimal.valueOf(i))).doubleValue();
    }

    long index(double v) {
      double i = Math.rint((v - min) / step);
      return (long) Math.max(0, Math.min(size() - 1, i));
    }

    @Override
    public Object parse(Object raw) {
      double v = number(label(name), raw);
      if (v < min || v > max) {
        throw new IllegalArgumentException(label(name) + ": " + raw + " is outside " + min + ".." + max);
      }
      // a value within rounding of a lattice point is that point, so the same setting compares equal
      return step == null ? v : value(index(v));
    }
  }

  /** One of a fixed list of values, kept in the given order; the search knows no order or distance among them. */
  record Categorical(String name, List<String> values) implements Parameter {

    public Categorical {
      String label = label(name);
      if (values == null || values.isEmpty()) {
        throw new IllegalArgumentException(label + ": a categorical parameter needs at least one value");
      }
      values = List.copyOf(values);
      if (new HashSet<>(values).size() != values.size()) {
        throw new IllegalArgumentException(label + ": values must be distinct, got " + values);
      }
    }

    @Override
    public long size() {
      return values.size();
    }

    @Override
    public Object parse(Object raw) {
      String v = Objects.toString(raw, null);
      if (!values.contains(v)) {
        throw new IllegalArgumentException(label(name) + ": '" + raw + "' is not one of " + values);
      }
      return v;
    }
  }

  private static String label(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a parameter needs a name");
    }
    return "parameter '" + name + "'";
  }

  private static void requireBounds(String label, Double min, Double max) {
    if (min == null || max == null) {
      throw new IllegalArgumentException(label + ": a numeric parameter needs min and max");
    }
  }

  private static long whole(String label, String field, double v) {
    if (v != Math.rint(v) || Math.abs(v) > 1e15) {
      throw new IllegalArgumentException(label + ": " + field + " of an int parameter must be a whole number, got "
          + v);
    }
    return (long) v;
  }

  private static double number(String label, Object raw) {
    if (raw instanceof Number n) {
      return n.doubleValue();
    }
    if (raw instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(label + ": '" + s + "' is not a number");
      }
    }
    throw new IllegalArgumentException(label + ": no value" + (raw == null ? "" : " in " + raw));
  }
}
