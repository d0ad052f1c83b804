package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.scaleUp) || !has(self.scaleUp.settleWindow)",
    message = "settleWindow applies only to scaleDown (a scale-up never waits for load to settle)",
    reason = "FieldValueForbidden", fieldPath = ".scaleUp.settleWindow")
public class ScalingBehavior {

  @JsonPropertyDescription("How fast to add pods. Defaults as HPA: no stabilization, at most +4 pods or +100% "
      + "per 15s, whichever is more.")
  private ScalingRules scaleUp;

  @JsonPropertyDescription("How fast to remove pods. Defaults as HPA: the highest recommendation of the last "
      + "300s, at most -100% per 15s.")
  private ScalingRules scaleDown;

  public ScalingRules getScaleUp() {
    return scaleUp;
  }

  public void setScaleUp(ScalingRules scaleUp) {
    this.scaleUp = scaleUp;
  }

  public ScalingRules getScaleDown() {
    return scaleDown;
  }

  public void setScaleDown(ScalingRules scaleDown) {
    this.scaleDown = scaleDown;
  }
}
