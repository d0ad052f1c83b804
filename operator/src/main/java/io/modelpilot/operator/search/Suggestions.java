package io.modelpilot.operator.search;

import java.util.List;

/**
 * Points to try next, at most as many as asked: fewer (possibly none) when the space has no unproposed point left.
 * The reason says how they were chosen, or why there are fewer.
 */
public record Suggestions(List<Point> points, String reason) {

  public Suggestions {
    points = List.copyOf(points);
  }

  public boolean exhausted(int asked) {
    return points.size() < asked;
  }
}
