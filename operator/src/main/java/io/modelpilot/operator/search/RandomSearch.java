package io.modelpilot.operator.search;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;

/** Uniform points (log-uniform on log scales), never one already in the history. */
public final class RandomSearch implements Suggester {

  /** Below this size a nearly exhausted finite space is listed rather than sampled blindly. */
  static final long ENUMERATION_LIMIT = 1_000_000;
  private static final int DRAWS = 64;

  @Override
  public Suggestions suggest(Study study, List<Observation> trials, int count, long seed) {
    History history = History.of(study, trials);
    SplittableRandom random = Seeds.random(seed, trials.size());
    Set<Point> taken = new HashSet<>(history.taken);
    List<Point> points = new ArrayList<>();
    while (points.size() < count) {
      Point p = draw(study.space(), taken, random);
      if (p == null) {
        return new Suggestions(points, "random: all " + study.space().finiteSize().getAsLong()
            + " points of the space have been proposed");
      }
      taken.add(p);
      points.add(p);
    }
    return new Suggestions(points, "random: uniform over the space");
  }

  /** A uniform untaken point, or null when a finite space has none left. */
  static Point draw(SearchSpace space, Set<Point> taken, SplittableRandom random) {
    for (int i = 0; i < DRAWS; i++) {
      Point p = space.fromUnit(uniform(space.dimensions(), random));
      if (!taken.contains(p)) {
        return p;
      }
    }
    OptionalLong size = space.finiteSize();
    if (size.isEmpty() || size.getAsLong() > ENUMERATION_LIMIT) {
      // a huge space where 64 draws all hit taken points: practically unreachable, so say so rather than loop
      throw new IllegalStateException("random: 64 draws in a row hit proposed points");
    }
    List<Point> free = new ArrayList<>();
    for (long i = 0; i < size.getAsLong(); i++) {
      Point p = space.pointAt(i);
      if (!taken.contains(p)) {
        free.add(p);
      }
    }
    return free.isEmpty() ? null : free.get(random.nextInt(free.size()));
  }

  static double[] uniform(int dimensions, SplittableRandom random) {
    double[] u = new double[dimensions];
    for (int i = 0; i < u.length; i++) {
      u[i] = random.nextDouble();
    }
    return u;
  }
}
