package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** status.canary.traffic: what decides the canary's share of the requests. */
public enum TrafficMode {
  /** One Service over both tracks: the canary's share is its share of the ready pods. */
  @JsonProperty("PodRatio") POD_RATIO,
  /** The operator's HTTPRoute: the canary's share is the route's weight for its Service. */
  @JsonProperty("HTTPRoute") HTTP_ROUTE
}
