package io.modelpilot.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** metav1 Conditions: upsert by type, keeping lastTransitionTime while the status stays the same. */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  public static final String SCALING_ACTIVE = "ScalingActive";
  /** True while a metrics window of the spec is raised to hold enough scrapes; absent otherwise. */
  public static final String METRICS_WINDOW_ADJUSTED = "MetricsWindowAdjusted";
  /** Only with spec.rollout.traffic.gatewayAPI: whether the operator's HTTPRoute splits the requests. */
  public static final String TRAFFIC_ROUTING = "TrafficRouting";

  public static final String TRUE = "True";
  public static final String FALSE = "False";

  private Conditions() {
  }

  public static Condition of(String type, boolean status, String reason, String message, long generation,
      Instant now) {
    return new ConditionBuilder().withType(type).withStatus(status ? TRUE : FALSE).withReason(reason)
        .withMessage(message).withObservedGeneration(generation)
        .withLastTransitionTime(now.truncatedTo(ChronoUnit.SECONDS).toString()).build();
  }

  /** Returns a new list with {@code update} in place of the condition of the same type. */
  public static List<Condition> upsert(List<Condition> existing, Condition update) {
    List<Condition> result = new ArrayList<>(existing == null ? List.of() : existing);
    Optional<Condition> previous = find(result, update.getType());
    if (previous.isPresent() && Objects.equals(previous.get().getStatus(), update.getStatus())) {
      update = new ConditionBuilder(update).withLastTransitionTime(previous.get().getLastTransitionTime()).build();
    }
    previous.ifPresent(result::remove);
    result.add(update);
    result.sort((a, b) -> Integer.compare(order(a.getType()), order(b.getType())));
    return result;
  }

  public static List<Condition> remove(List<Condition> existing, String type) {
    List<Condition> result = new ArrayList<>(existing == null ? List.of() : existing);
    result.removeIf(c -> type.equals(c.getType()));
    return result;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  private static int order(String type) {
    return switch (type) {
      case READY -> 0;
      case PROGRESSING -> 1;
      case DEGRADED -> 2;
      case SCALING_ACTIVE -> 3;
      case METRICS_WINDOW_ADJUSTED -> 4;
      case TRAFFIC_ROUTING -> 5;
      default -> 6;
    };
  }
}
