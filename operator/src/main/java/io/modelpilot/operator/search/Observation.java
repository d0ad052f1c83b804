package io.modelpilot.operator.search;

import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One trial as the search sees it: where it ran, how it ended and what it measured. A history lists trials in the
 * order they were created; that order, the seed and the space decide every suggestion.
 *
 * @param parameters the point, as values or their text (parsed against the space)
 * @param metrics final metrics; the objective's and the constraints' are read from here
 * @param intermediate the objective's values reported while the trial ran, by step (for early stopping)
 */
public record Observation(String id, Map<String, ?> parameters, State state, Map<String, Double> metrics,
    List<Intermediate> intermediate) {

  public enum State {
    PENDING, RUNNING, SUCCEEDED, FAILED, EARLY_STOPPED;

    /** Still running or about to: its point is taken but its outcome unknown. */
    public boolean inFlight() {
      return this == PENDING || this == RUNNING;
    }

    /** From a trial's phase as a status spells it: Pending, Running, Succeeded, Failed, EarlyStopped. */
    public static State fromPhase(String phase) {
      String p = phase == null ? "" : phase.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
      return switch (p) {
        case "pending", "" -> PENDING;
        case "running" -> RUNNING;
        case "succeeded" -> SUCCEEDED;
        case "failed" -> FAILED;
        case "earlystopped" -> EARLY_STOPPED;
        default -> throw new IllegalArgumentException("unknown trial phase '" + phase + "'");
      };
    }
  }

  /** The objective's value after {@code step} units of work (epochs, requests, seconds of load). */
  public record Intermediate(long step, double value) {
  }

  public Observation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    intermediate = intermediate == null ? List.of()
        : intermediate.stream().sorted(Comparator.comparingLong(Intermediate::step)).toList();
  }

  public static Observation succeeded(String id, Map<String, ?> parameters, Map<String, Double> metrics) {
    return new Observation(id, parameters, State.SUCCEEDED, metrics, List.of());
  }

  public static Observation failed(String id, Map<String, ?> parameters) {
    return new Observation(id, parameters, State.FAILED, Map.of(), List.of());
  }

  public static Observation running(String id, Map<String, ?> parameters, List<Intermediate> intermediate) {
    return new Observation(id, parameters, State.RUNNING, Map.of(), intermediate);
  }

  public static Observation pending(String id, Map<String, ?> parameters) {
    return new Observation(id, parameters, State.PENDING, Map.of(), List.of());
  }
}
