package io.modelpilot.operator.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Points as vectors in the unit cube, the GP's inputs: a numeric parameter is one column (log-transformed on a log
 * scale), a categorical one is one-hot over its values. Only valid points are ever encoded, so the GP sees integers
 * and categories through the transform of Garrido-Merchán and Hernández-Lobato (2020): a lattice value's column
 * takes only the lattice's values, a categorical's columns only a one-hot pattern, and the model is flat between
 * them instead of being rounded after the fact.
 */
final class Encoding {

  /** Two continuous coordinates this close (in the unit cube) are the same setting. */
  static final double SAME_POINT = 1e-6;

  final SearchSpace space;
  final int columns;
  /** The parameter behind each column: columns of one categorical share a length scale. */
  final int[] parameterOf;
  final boolean[] continuousColumn;
  private final int[] firstColumn;

  Encoding(SearchSpace space) {
    this.space = space;
    List<Parameter> ps = space.parameters();
    firstColumn = new int[ps.size()];
    int c = 0;
    for (int i = 0; i < ps.size(); i++) {
      firstColumn[i] = c;
      c += ps.get(i) instanceof Parameter.Categorical cat ? cat.values().size() : 1;
    }
    columns = c;
    parameterOf = new int[columns];
    continuousColumn = new boolean[columns];
    for (int i = 0; i < ps.size(); i++) {
      for (int k = firstColumn[i]; k < (i + 1 < ps.size() ? firstColumn[i + 1] : columns); k++) {
        parameterOf[k] = i;
        continuousColumn[k] = ps.get(i) instanceof Parameter.Real r && r.continuous();
      }
    }
  }

  int parameters() {
    return firstColumn.length;
  }

  double[] encode(Point point) {
    double[] x = new double[columns];
    List<Parameter> ps = space.parameters();
    for (int i = 0; i < ps.size(); i++) {
      Parameter p = ps.get(i);
      Object v = point.get(p.name());
      if (p instanceof Parameter.Categorical cat) {
        x[firstColumn[i] + cat.values().indexOf((String) v)] = 1;
      } else if (p instanceof Parameter.Int in) {
        x[firstColumn[i]] = latticeUnit(p, in.index((Long) v));
      } else {
        Parameter.Real r = (Parameter.Real) p;
        double d = (Double) v;
        x[firstColumn[i]] = r.continuous() ? unit(d, r.min(), r.max(), r.logScale()) : latticeUnit(p, r.index(d));
      }
    }
    return x;
  }

  /** The valid point nearest to {@code x}: lattice columns to the nearest lattice value, categories by argmax. */
  Point decode(double[] x) {
    Map<String, Object> values = new LinkedHashMap<>();
    List<Parameter> ps = space.parameters();
    for (int i = 0; i < ps.size(); i++) {
      Parameter p = ps.get(i);
      int c = firstColumn[i];
      Object v;
      if (p instanceof Parameter.Categorical cat) {
        int best = 0;
        for (int k = 1; k < cat.values().size(); k++) {
          best = x[c + k] > x[c + best] ? k : best;
        }
        v = cat.values().get(best);
      } else if (p instanceof Parameter.Int in) {
        v = in.value(nearestIndex(p, x[c]));
      } else {
        Parameter.Real r = (Parameter.Real) p;
        v = r.continuous() ? r.clean(fromUnit(x[c], r.min(), r.max(), r.logScale()))
            : r.value(nearestIndex(p, x[c]));
      }
      values.put(p.name(), v);
    }
    return new Point(values);
  }

  /** Valid points one move away in a discrete parameter: a neighbouring lattice value, or another category. */
  List<double[]> discreteNeighbours(double[] x) {
    List<double[]> out = new ArrayList<>();
    List<Parameter> ps = space.parameters();
    for (int i = 0; i < ps.size(); i++) {
      Parameter p = ps.get(i);
      int c = firstColumn[i];
      if (p instanceof Parameter.Categorical cat) {
        for (int k = 0; k < cat.values().size(); k++) {
          if (x[c + k] != 1) {
            double[] y = x.clone();
            Arrays.fill(y, c, c + cat.values().size(), 0);
            y[c + k] = 1;
            out.add(y);
          }
        }
      } else if (!continuousColumn[c] && p.size() > 1) {
        long j = nearestIndex(p, x[c]);
        long far = Math.max(2, p.size() / 16);
        for (long move : new long[] {-far, -1, 1, far}) {
          long k = j + move;
          if (k >= 0 && k < p.size()) {
            double[] y = x.clone();
            y[c] = latticeUnit(p, k);
            out.add(y);
          }
        }
      }
    }
    return out;
  }

  /** Whether two encoded points are the same setting (continuous coordinates within {@link #SAME_POINT}). */
  boolean same(double[] a, double[] b) {
    for (int c = 0; c < columns; c++) {
      double d = Math.abs(a[c] - b[c]);
      if (continuousColumn[c] ? d > SAME_POINT : d > 1e-12) {
        return false;
      }
    }
    return true;
  }

  private static double unit(double v, double min, double max, boolean log) {
    if (max == min) {
      return 0;
    }
    double u = log ? (Math.log(v) - Math.log(min)) / (Math.log(max) - Math.log(min)) : (v - min) / (max - min);
    return Math.min(1, Math.max(0, u));
  }

  private static double fromUnit(double u, double min, double max, boolean log) {
    double t = Math.min(1, Math.max(0, u));
    double v = log ? Math.exp(Math.log(min) + t * (Math.log(max) - Math.log(min))) : min + t * (max - min);
    return Math.min(max, Math.max(min, v));
  }

  private static double latticeValue(Parameter p, long i) {
    return p instanceof Parameter.Int in ? in.value(i) : ((Parameter.Real) p).value(i);
  }

  private static boolean logScale(Parameter p) {
    return p instanceof Parameter.Int in ? in.logScale() : ((Parameter.Real) p).logScale();
  }

  /** A lattice index's coordinate: evenly spaced, or by log value on a log scale. */
  static double latticeUnit(Parameter p, long i) {
    long n = p.size();
    if (n == 1) {
      return 0;
    }
    if (!logScale(p)) {
      return (double) i / (n - 1);
    }
    return unit(latticeValue(p, i), latticeValue(p, 0), latticeValue(p, n - 1), true);
  }

  static long nearestIndex(Parameter p, double u) {
    long n = p.size();
    if (n == 1) {
      return 0;
    }
    if (!logScale(p)) {
      return Math.max(0, Math.min(n - 1, Math.round(Math.min(1, Math.max(0, u)) * (n - 1))));
    }
    double v = fromUnit(u, latticeValue(p, 0), latticeValue(p, n - 1), true);
    double step = p instanceof Parameter.Int in ? in.step() : ((Parameter.Real) p).step();
    long below = Math.max(0, Math.min(n - 1, (long) Math.floor((v - latticeValue(p, 0)) / step)));
    long above = Math.min(n - 1, below + 1);
    return Math.abs(latticeUnit(p, above) - u) < Math.abs(latticeUnit(p, below) - u) ? above : below;
  }
}
