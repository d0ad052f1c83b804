package io.modelpilot.operator.autoscaling.core;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one round: the replica count to apply, why, and the history to pass to the next round.
 *
 * @param reason one line for the status and the log, e.g. "scaled 2→4: requests/s per replica 81 > 50"
 * @param metricsUnavailable some or all readings were missing; the decision never scales down then
 * @param limitedBy what kept the count from the metrics' proposal, in the order it was applied; empty when
 *     the proposal was applied as is
 */
public record ScalingDecision(int currentReplicas, int desiredReplicas, String reason,
    List<MetricProposal> metrics, boolean metricsUnavailable, List<Limit> limitedBy, ScalingHistory history) {

  public enum Limit {
    MIN_REPLICAS("minReplicas"),
    MAX_REPLICAS("maxReplicas"),
    SCALE_UP_STABILIZATION("scaleUp stabilization"),
    SCALE_DOWN_STABILIZATION("scaleDown stabilization"),
    SCALE_DOWN_SETTLING("scaleDown settling (load still falling)"),
    SCALE_UP_POLICY("scaleUp policy"),
    SCALE_DOWN_POLICY("scaleDown policy"),
    SCALE_UP_DISABLED("scaleUp disabled"),
    SCALE_DOWN_DISABLED("scaleDown disabled");

    private final String label;

    Limit(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public ScalingDecision {
    Objects.requireNonNull(reason, "reason");
    metrics = List.copyOf(metrics);
    limitedBy = List.copyOf(limitedBy);
    Objects.requireNonNull(history, "history");
  }

  public boolean scaled() {
    return desiredReplicas != currentReplicas;
  }
}
