package io.modelpilot.operator.search;

import java.util.List;
import java.util.Locale;

/**
 * A search algorithm: a function of (study, history, count, seed). It keeps no state between calls, so an operator
 * that restarts and passes the same history gets the same points, and a point in the history (succeeded, failed or
 * still running) is never proposed again.
 */
public interface Suggester {

  /**
   * @param history every trial so far, in creation order, in flight ones included
   * @param count how many points to propose (for trials that will run in parallel with the in-flight ones)
   * @throws IllegalArgumentException when the study does not suit the algorithm (a grid too large), or a trial's
   *     point does not fit the space
   */
  Suggestions suggest(Study study, List<Observation> history, int count, long seed);

  /** The algorithm a TuningJob names: random, grid or bayesian. */
  static Suggester named(String algorithm) {
    String name = algorithm == null ? "" : algorithm.trim().toLowerCase(Locale.ROOT);
    return switch (name) {
      case "random" -> new RandomSearch();
      case "grid" -> new GridSearch();
      case "bayesian" -> new BayesianSearch();
      default -> throw new IllegalArgumentException("algorithm must be random, grid or bayesian, got '" + algorithm
          + "'");
    };
  }
}
