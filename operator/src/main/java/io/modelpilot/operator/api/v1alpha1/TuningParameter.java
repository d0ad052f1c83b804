package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/** One dimension of the search space and the field of the target's spec it sets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.type != 'categorical' || (has(self.values) && !has(self.min) && !has(self.max) "
    + "&& !has(self.step) && (!has(self.logScale) || !self.logScale))",
    message = "a categorical parameter takes values, not min/max/step/logScale", reason = "FieldValueInvalid")
@ValidationRule(value = "self.type == 'categorical' || (has(self.min) && has(self.max) && !has(self.values))",
    message = "an int or double parameter takes min and max (and optionally step, logScale), not values",
    reason = "FieldValueRequired")
@ValidationRule(value = "!has(self.min) || !has(self.max) || self.min <= self.max", message = "min must not exceed max",
    reason = "FieldValueInvalid", fieldPath = ".min")
@ValidationRule(value = "!has(self.step) || self.step > 0.0", message = "step must be greater than 0",
    reason = "FieldValueInvalid", fieldPath = ".step")
@ValidationRule(value = "!has(self.logScale) || !self.logScale || (has(self.min) && self.min > 0.0)",
    message = "a log scale needs min > 0", reason = "FieldValueInvalid", fieldPath = ".logScale")
@ValidationRule(value = "self.type != 'int' || ((!has(self.min) || self.min == double(int(self.min))) "
    + "&& (!has(self.max) || self.max == double(int(self.max))) && (!has(self.step) || self.step == double(int(self.step))))",
    message = "an int parameter takes whole min, max and step", reason = "FieldValueInvalid")
@ValidationRule(value = "!has(self.values) || self.values.all(v, self.values.exists_one(w, w == v))",
    message = "values must be distinct", reason = "FieldValueDuplicate", fieldPath = ".values")
@ValidationRule(value = "!has(self.path) || !self.path.matches('(intraOpThreads|interOpThreads|maxBatchSize|count"
    + "|minReplicas|maxReplicas)$') || self.type == 'int' || (self.type == 'categorical' && has(self.values) "
    + "&& self.values.all(v, v.matches('^[0-9]+$')))",
    message = "path names a whole-number field: the parameter must be int, or categorical of whole numbers",
    reason = "FieldValueInvalid", fieldPath = ".type")
@ValidationRule(value = "!has(self.path) || self.path.matches('" + TuningParameter.PATH_PATTERN + "')",
    message = "path must be a tunable field of the ModelDeployment's spec: " + TuningParameter.PATHS,
    reason = "FieldValueNotSupported", fieldPath = ".path")
public class TuningParameter {

  /** The fields of a ModelDeployment's spec a TuningJob may set, and nothing else (no image, no pod template). */
  public static final String PATH_PATTERN = "^spec\\\\.(runtime\\\\.(intraOpThreads|interOpThreads|optimizationLevel"
      + "|batching\\\\.(maxBatchSize|maxQueueDelay))|resources\\\\.(requests|limits)\\\\.(cpu|memory)"
      + "|gpu\\\\.(count|product)|autoscaling\\\\.(minReplicas|maxReplicas|metrics\\\\[[0-9]\\\\]\\\\."
      + "(targetPerReplica|targetValue|targetUtilization|targetLatency))|model\\\\.(uri|version))$";
  public static final String PATHS = "spec.runtime.{intraOpThreads, interOpThreads, optimizationLevel, "
      + "batching.maxBatchSize, batching.maxQueueDelay}, spec.resources.{requests,limits}.{cpu,memory}, "
      + "spec.gpu.{count,product}, spec.autoscaling.{minReplicas, maxReplicas, metrics[i].targetPerReplica, "
      + "metrics[i].targetValue, metrics[i].targetUtilization, metrics[i].targetLatency}, spec.model.{uri,version}";

  public enum Type {
    @JsonProperty("int") INT,
    @JsonProperty("double") DOUBLE,
    @JsonProperty("categorical") CATEGORICAL;

    public String value() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  @Required
  @Size(max = 63)
  @Pattern("^[a-zA-Z][a-zA-Z0-9_]*$")
  @JsonPropertyDescription("Name of the parameter: the key in status.trials[].parameters, and in a custom trial the "
      + "environment variable MODELPILOT_PARAM_<NAME> and ${params.<name>} in its command and args.")
  private String name;

  @Required
  @JsonPropertyDescription("int, double or categorical.")
  private Type type;

  @JsonPropertyDescription("Smallest value (int, double).")
  private Double min;

  @JsonPropertyDescription("Largest value (int, double).")
  private Double max;

  @JsonPropertyDescription("Values are min + i*step (int: defaults to 1; double: continuous without it).")
  private Double step;

  @JsonPropertyDescription("Search ratios alike (1→2 weighs as 16→32): for thread counts, batch sizes, rates.")
  private Boolean logScale;

  @Size(min = 1, max = 64)
  @JsonPropertyDescription("The values a categorical parameter takes, as text.")
  private List<String> values;

  @Size(max = 128)
  @JsonPropertyDescription("The field of the target ModelDeployment's spec this parameter sets, e.g. "
      + "spec.runtime.intraOpThreads. One of: " + PATHS + ". Required with the built-in benchmark trial.")
  private String path;

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Type getType() {
    return type;
  }

  public void setType(Type type) {
    this.type = type;
  }

  public Double getMin() {
    return min;
  }

  public void setMin(Double min) {
    this.min = min;
  }

  public Double getMax() {
    return max;
  }

  public void setMax(Double max) {
    this.max = max;
  }

  public Double getStep() {
    return step;
  }

  public void setStep(Double step) {
    this.step = step;
  }

  public Boolean getLogScale() {
    return logScale;
  }

  public void setLogScale(Boolean logScale) {
    this.logScale = logScale;
  }

  public List<String> getValues() {
    return values;
  }

  public void setValues(List<String> values) {
    this.values = values;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }
}
