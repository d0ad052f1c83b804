package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TuningObjective {

  public static final String METRIC_PATTERN = "^[a-zA-Z][a-zA-Z0-9_]*$";

  public enum Direction {
    @JsonProperty("Maximize") MAXIMIZE,
    @JsonProperty("Minimize") MINIMIZE
  }

  @Required
  @Size(max = 63)
  @Pattern(METRIC_PATTERN)
  @JsonPropertyDescription("A metric every trial reports, e.g. throughput, latencyP99Ms (the built-in benchmark "
      + "reports throughput, rowsPerSecond, latencyP50Ms, latencyP99Ms, errors) or one a custom trial writes.")
  private String metric;

  @Default("Maximize")
  @JsonPropertyDescription("Maximize or Minimize. Defaults to Maximize.")
  private Direction direction;

  public TuningObjective() {
  }

  public TuningObjective(String metric, Direction direction) {
    this.metric = metric;
    this.direction = direction;
  }

  public Direction directionOrDefault() {
    return direction == null ? Direction.MAXIMIZE : direction;
  }

  public String getMetric() {
    return metric;
  }

  public void setMetric(String metric) {
    this.metric = metric;
  }

  public Direction getDirection() {
    return direction;
  }

  public void setDirection(Direction direction) {
    this.direction = direction;
  }
}
