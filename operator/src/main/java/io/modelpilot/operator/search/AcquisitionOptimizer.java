package io.modelpilot.operator.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

import org.hipparchus.exception.MathIllegalStateException;
import org.hipparchus.optim.InitialGuess;
import org.hipparchus.optim.MaxEval;
import org.hipparchus.optim.SimpleBounds;
import org.hipparchus.optim.nonlinear.scalar.GoalType;
import org.hipparchus.optim.nonlinear.scalar.ObjectiveFunction;
import org.hipparchus.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;
import org.hipparchus.optim.univariate.BrentOptimizer;
import org.hipparchus.optim.univariate.SearchInterval;
import org.hipparchus.optim.univariate.UnivariateObjectiveFunction;
import org.hipparchus.random.SobolSequenceGenerator;

/**
 * Maximises an acquisition over valid, untaken points. Small finite spaces are enumerated, so the maximum is exact.
 * Otherwise a shifted Sobol set plus perturbations of the best observed points are scored, and the best few are
 * refined: BOBYQA (Brent in one dimension) over the continuous coordinates with the discrete ones held, then a hill
 * climb over neighbouring lattice values and other categories, repeated while it helps.
 */
final class AcquisitionOptimizer {

  /** Finite spaces up to this size are scored point by point. */
  static final long ENUMERATE_UP_TO = 4096;
  /** Acquisitions below this (log scale) are flattened so that BOBYQA's quadratic models stay finite. */
  private static final double FLOOR = -1e4;
  private static final double[] SCALES = {0.003, 0.02, 0.08, 0.25};

  private final Encoding encoding;
  private final int candidates;
  private final int refined;

  AcquisitionOptimizer(Encoding encoding, int candidates, int refined) {
    this.encoding = encoding;
    this.candidates = candidates;
    this.refined = refined;
  }

  /** The best point found, or empty when no untaken candidate turned up. */
  Optional<double[]> maximise(ToDoubleFunction<double[]> acquisition, List<double[]> anchors,
      List<double[]> taken, SplittableRandom random) {
    ToDoubleFunction<double[]> f = x -> Math.max(FLOOR, acquisition.applyAsDouble(x));
    OptionalLong size = encoding.space.finiteSize();
    boolean enumerate = size.isPresent() && size.getAsLong() <= ENUMERATE_UP_TO;
    List<double[]> pool = enumerate ? everyPoint(size.getAsLong()) : sample(anchors, random);
    List<Scored> scored = new ArrayList<>();
    for (double[] x : pool) {
      if (!isTaken(x, taken)) {
        scored.add(new Scored(x, f.applyAsDouble(x)));
      }
    }
    if (scored.isEmpty()) {
      return Optional.empty();
    }
    scored.sort(Comparator.comparingDouble(Scored::value).reversed());
    if (enumerate) {
      return Optional.of(scored.get(0).x());
    }
    Scored best = scored.get(0);
    for (int i = 0; i < Math.min(refined, scored.size()); i++) {
      Scored r = refine(scored.get(i), f, taken);
      if (r.value() > best.value()) {
        best = r;
      }
    }
    return Optional.of(best.x());
  }

  private record Scored(double[] x, double value) {
  }

  private List<double[]> everyPoint(long size) {
    List<double[]> all = new ArrayList<>();
    for (long i = 0; i < size; i++) {
      all.add(encoding.encode(encoding.space.pointAt(i)));
    }
    return all;
  }

  private List<double[]> sample(List<double[]> anchors, SplittableRandom random) {
    List<double[]> pool = new ArrayList<>();
    int dims = encoding.parameters();
    SobolSequenceGenerator sobol = new SobolSequenceGenerator(dims);
    sobol.skipTo(1 + random.nextInt(1 << 16));
    double[] shift = RandomSearch.uniform(dims, random);
    for (int i = 0; i < candidates; i++) {
      double[] u = sobol.nextVector();
      for (int d = 0; d < dims; d++) {
        u[d] = (u[d] + shift[d]) % 1.0;
      }
      pool.add(encoding.encode(encoding.space.fromUnit(u)));
    }
    // around the best results, at several radii: where EI's maximum usually is once the model has settled
    int each = Math.max(1, candidates / (4 * Math.max(1, anchors.size())) / SCALES.length);
    for (double[] anchor : anchors) {
      for (double scale : SCALES) {
        for (int k = 0; k < each; k++) {
          double[] y = anchor.clone();
          for (int c = 0; c < y.length; c++) {
            y[c] += scale * gaussian(random);
          }
          pool.add(encoding.encode(encoding.decode(y)));
        }
      }
    }
    return pool;
  }

  private Scored refine(Scored start, ToDoubleFunction<double[]> f, List<double[]> taken) {
    Scored current = start;
    for (int round = 0; round < 5; round++) {
      Scored continuous = refineContinuous(current, f, taken);
      Scored discrete = climbDiscrete(continuous, f, taken);
      boolean improved = discrete.value() > current.value() + 1e-9;
      current = discrete;
      if (!improved || discrete == continuous) {
        break;
      }
    }
    return current;
  }

  private Scored refineContinuous(Scored start, ToDoubleFunction<double[]> f, List<double[]> taken) {
    int[] cols = continuousColumns();
    if (cols.length == 0) {
      return start;
    }
    Best best = new Best(start, taken);
    ToDoubleFunction<double[]> g = sub -> {
      double[] x = start.x().clone();
      for (int i = 0; i < cols.length; i++) {
        x[cols[i]] = Math.min(1, Math.max(0, sub[i]));
      }
      double v = f.applyAsDouble(x);
      best.offer(x, v);
      return v;
    };
    double[] sub = new double[cols.length];
    for (int i = 0; i < cols.length; i++) {
      sub[i] = start.x()[cols[i]];
    }
    try {
      if (cols.length == 1) {
        double lo = Math.max(0, sub[0] - 0.1);
        double hi = Math.min(1, sub[0] + 0.1);
        new BrentOptimizer(1e-8, 1e-12).optimize(new MaxEval(200),
            new UnivariateObjectiveFunction(t -> g.applyAsDouble(new double[] {t})), GoalType.MAXIMIZE,
            new SearchInterval(lo, hi, sub[0]));
      } else {
        double[] lower = new double[cols.length];
        double[] upper = new double[cols.length];
        Arrays.fill(upper, 1);
        new BOBYQAOptimizer(2 * cols.length + 1, 0.05, 1e-6).optimize(new MaxEval(100 * cols.length + 100),
            new ObjectiveFunction(g::applyAsDouble), GoalType.MAXIMIZE, new InitialGuess(sub),
            new SimpleBounds(lower, upper));
      }
    } catch (MathIllegalStateException e) {
      // evaluation budget spent: keep the best point seen
    }
    return best.scored;
  }

  private Scored climbDiscrete(Scored start, ToDoubleFunction<double[]> f, List<double[]> taken) {
    Scored current = start;
    for (int step = 0; step < 50; step++) {
      Best best = new Best(current, taken);
      for (double[] y : encoding.discreteNeighbours(current.x())) {
        best.offer(y, f.applyAsDouble(y));
      }
      if (best.scored == current) {
        return current;
      }
      current = best.scored;
    }
    return current;
  }

  /** The best untaken point offered; the start counts even if taken, so that a refinement never makes it worse. */
  private final class Best {
    private final List<double[]> taken;
    Scored scored;

    Best(Scored start, List<double[]> taken) {
      this.scored = start;
      this.taken = taken;
    }

    void offer(double[] x, double value) {
      if (value > scored.value() && !isTaken(x, taken)) {
        scored = new Scored(x.clone(), value);
      }
    }
  }

  private int[] continuousColumns() {
    int n = 0;
    for (boolean c : encoding.continuousColumn) {
      n += c ? 1 : 0;
    }
    int[] cols = new int[n];
    for (int c = 0, k = 0; c < encoding.columns; c++) {
      if (encoding.continuousColumn[c]) {
        cols[k++] = c;
      }
    }
    return cols;
  }

  private boolean isTaken(double[] x, List<double[]> taken) {
    for (double[] t : taken) {
      if (encoding.same(x, t)) {
        return true;
      }
    }
    return false;
  }

  private static double gaussian(SplittableRandom random) {
    // Box–Muller: SplittableRandom has no nextGaussian on Java 17
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
