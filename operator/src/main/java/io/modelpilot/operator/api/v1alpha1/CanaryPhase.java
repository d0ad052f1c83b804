package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** status.canary.phase: where a canary rollout stands (the CRD lists these values). */
public enum CanaryPhase {
  @JsonProperty("Progressing") PROGRESSING,
  @JsonProperty("Paused") PAUSED,
  @JsonProperty("AwaitingPromotion") AWAITING_PROMOTION,
  @JsonProperty("Promoted") PROMOTED,
  @JsonProperty("RolledBack") ROLLED_BACK,
  @JsonProperty("Aborted") ABORTED;

  /** As status.canary.phase spells it: Progressing, AwaitingPromotion, ... */
  public String text() {
    try {
      return CanaryPhase.class.getField(name()).getAnnotation(JsonProperty.class).value();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Promoted, rolled back or aborted: the canary is over. */
  public boolean terminal() {
    return this == PROMOTED || this == ROLLED_BACK || this == ABORTED;
  }
}
