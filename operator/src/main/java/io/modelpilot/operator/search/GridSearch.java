package io.modelpilot.operator.search;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Every combination, in a stable order: the last parameter varies fastest, numeric values ascend, categorical values
 * keep their given order. The seed plays no part. Spaces over {@link #limit} points are refused.
 */
public final class GridSearch implements Suggester {

  public static final long DEFAULT_LIMIT = 10_000;

  private final long limit;

  public GridSearch() {
    this(DEFAULT_LIMIT);
  }

  public GridSearch(long limit) {
    this.limit = limit;
  }

  @Override
  public Suggestions suggest(Study study, List<Observation> trials, int count, long seed) {
    long size = size(study.space());
    History history = History.of(study, trials);
    List<Point> points = new ArrayList<>();
    for (long i = 0; i < size && points.size() < count; i++) {
      Point p = study.space().pointAt(i);
      if (!history.taken.contains(p)) {
        points.add(p);
      }
    }
    String reason = points.size() < count
        ? "grid: exhausted, all " + size + " points have been proposed"
        : "grid: next in order of " + size + " points";
    return new Suggestions(points, reason);
  }

  /** The number of grid points, or an IllegalArgumentException saying why there is no grid to walk. */
  public long size(SearchSpace space) {
    for (Parameter p : space.parameters()) {
      if (p instanceof Parameter.Real r && r.continuous()) {
        throw new IllegalArgumentException("grid search needs a step for double parameter '" + p.name()
            + "' (or use random or bayesian search)");
      }
    }
    OptionalLong size = space.finiteSize();
    if (size.isEmpty() || size.getAsLong() > limit) {
      String count = size.isPresent() ? String.valueOf(size.getAsLong()) : "more than " + Long.MAX_VALUE;
      throw new IllegalArgumentException("the grid has " + count + " points, over the limit of " + limit
          + ": use coarser steps or fewer values, or random or bayesian search");
    }
    return size.getAsLong();
  }
}
