package io.modelpilot.operator.search;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/** The parameters a search may set. Invalid definitions are refused with a message naming the parameter. */
public record SearchSpace(List<Parameter> parameters) {

  public SearchSpace {
    if (parameters == null || parameters.isEmpty()) {
      throw new IllegalArgumentException("the search space has no parameters");
    }
    parameters = List.copyOf(parameters);
    Set<String> names = new HashSet<>();
    for (Parameter p : parameters) {
      if (!names.add(p.name())) {
        throw new IllegalArgumentException("parameter '" + p.name() + "' is defined more than once");
      }
    }
  }

  public static SearchSpace of(Parameter... parameters) {
    return new SearchSpace(List.of(parameters));
  }

  public int dimensions() {
    return parameters.size();
  }

  /** How many distinct points there are, or empty when a parameter is continuous (or the count overflows). */
  public OptionalLong finiteSize() {
    long size = 1;
    for (Parameter p : parameters) {
      long n = p.size();
      if (n == Long.MAX_VALUE || size > Long.MAX_VALUE / n) {
        return OptionalLong.empty();
      }
      size *= n;
    }
    return OptionalLong.of(size);
  }

  /**
   * The point a trial recorded, from its values or their text. Throws when a parameter is missing, unknown or its
   * value does not fit, naming the parameter.
   */
  public Point point(Map<String, ?> raw) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Parameter p : parameters) {
      if (!raw.containsKey(p.name())) {
        throw new IllegalArgumentException("parameter '" + p.name() + "' has no value in " + raw);
      }
      values.put(p.name(), p.parse(raw.get(p.name())));
    }
    for (String name : raw.keySet()) {
      if (parameters.stream().noneMatch(p -> p.name().equals(name))) {
        throw new IllegalArgumentException("'" + name + "' is not a parameter of the search space");
      }
    }
    return new Point(values);
  }

  /**
   * The point at {@code index} of the grid: mixed-radix digits with the last parameter varying fastest, numeric values
   * ascending and categorical values in their given order. Only for finite spaces.
   */
  Point pointAt(long index) {
    long[] digits = new long[parameters.size()];
    long rest = index;
    for (int i = parameters.size() - 1; i >= 0; i--) {
      long n = parameters.get(i).size();
      digits[i] = rest % n;
      rest /= n;
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < parameters.size(); i++) {
      values.put(parameters.get(i).name(), valueAt(parameters.get(i), digits[i]));
    }
    return new Point(values);
  }

  private static Object valueAt(Parameter p, long i) {
    if (p instanceof Parameter.Int in) {
      return in.value(i);
    }
    if (p instanceof Parameter.Real r) {
      return r.value(i);
    }
    return ((Parameter.Categorical) p).values().get((int) i);
  }

  /**
   * The point for one coordinate in [0, 1) per parameter: uniform coordinates give a uniform point (log-uniform on
   * log scales), low-discrepancy ones a space-filling design.
   */
  Point fromUnit(double[] u) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < parameters.size(); i++) {
      Parameter p = parameters.get(i);
      double t = Math.min(Math.max(u[i], 0), Math.nextDown(1.0));
      values.put(p.name(), unitValue(p, t));
    }
    return new Point(values);
  }

  private static Object unitValue(Parameter p, double t) {
    if (p instanceof Parameter.Categorical c) {
      return c.values().get((int) (t * c.size()));
    }
    if (p instanceof Parameter.Int in) {
      return in.logScale() ? in.value(in.index(Math.exp(logLerp(in.min(), in.max(), t))))
          : in.value((long) (t * in.size()));
    }
    Parameter.Real r = (Parameter.Real) p;
    if (!r.continuous()) {
      return r.logScale() ? r.value(r.index(Math.exp(logLerp(r.min(), r.max(), t))))
          : r.value((long) (t * r.size()));
    }
    return r.clean(r.logScale() ? Math.exp(logLerp(r.min(), r.max(), t)) : r.min() + t * (r.max() - r.min()));
  }

  private static double logLerp(double min, double max, double t) {
    return Math.log(min) + t * (Math.log(max) - Math.log(min));
  }
}
