package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What an analysis, or one metric of it, concluded about a canary (the CRD lists these values). */
public enum AnalysisVerdict {
  @JsonProperty("Pass") PASS,
  @JsonProperty("Inconclusive") INCONCLUSIVE,
  @JsonProperty("Fail") FAIL
}
