package io.modelpilot.operator.api.v1alpha1;

import io.modelpilot.contract.Durations;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(self.type in ['RequestsPerSecond', 'Concurrency']) == has(self.targetPerReplica)"
    + " || self.type == 'PromQL'",
    message = "RequestsPerSecond and Concurrency take targetPerReplica (and only they, besides PromQL)",
    reason = "FieldValueRequired", fieldPath = ".targetPerReplica")
@ValidationRule(value = "(self.type == 'LatencyP99') == has(self.targetLatency)",
    message = "LatencyP99 takes targetLatency, and only LatencyP99 does", reason = "FieldValueRequired",
    fieldPath = ".targetLatency")
@ValidationRule(value = "(self.type in ['CpuUtilization', 'GpuUtilization']) == has(self.targetUtilization)",
    message = "CpuUtilization and GpuUtilization take targetUtilization (percent), and only they do",
    reason = "FieldValueRequired", fieldPath = ".targetUtilization")
@ValidationRule(value = "(self.type == 'PromQL') == has(self.query)",
    message = "PromQL takes a query, and only PromQL does", reason = "FieldValueRequired", fieldPath = ".query")
@ValidationRule(value = "self.type != 'PromQL' || (has(self.targetPerReplica) != has(self.targetValue))",
    message = "PromQL takes exactly one of targetPerReplica (the query's value is shared by the replicas) or "
        + "targetValue (compared as is)", reason = "FieldValueRequired", fieldPath = ".targetValue")
@ValidationRule(value = "self.type == 'PromQL' || !has(self.targetValue)",
    message = "targetValue applies only to PromQL", reason = "FieldValueForbidden", fieldPath = ".targetValue")
public class ScalingMetric {

  public enum Type {
    @JsonProperty("RequestsPerSecond") REQUESTS_PER_SECOND,
    @JsonProperty("LatencyP99") LATENCY_P99,
    @JsonProperty("Concurrency") CONCURRENCY,
    @JsonProperty("CpuUtilization") CPU_UTILIZATION,
    @JsonProperty("GpuUtilization") GPU_UTILIZATION,
    @JsonProperty("PromQL") PROMQL
  }

  @Required
  @JsonPropertyDescription("RequestsPerSecond (inference requests per second per replica), LatencyP99 (p99 "
      + "request latency), Concurrency (in-flight requests per replica), CpuUtilization (percent of each pod's "
      + "CPUs), GpuUtilization (percent, from the NVIDIA DCGM exporter's DCGM_FI_DEV_GPU_UTIL), or PromQL.")
  private Type type;

  @Min(0.001)
  @JsonPropertyDescription("Target value per replica (RequestsPerSecond, Concurrency, PromQL).")
  private Double targetPerReplica;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Target p99 latency, e.g. 100ms (LatencyP99).")
  private String targetLatency;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Target utilization in percent (CpuUtilization, GpuUtilization).")
  private Integer targetUtilization;

  @Min(0.000001)
  @JsonPropertyDescription("Target for the PromQL query's value as is (like HPA's Value target).")
  private Double targetValue;

  @Size(max = 4096)
  @JsonPropertyDescription("PromQL returning one number; $namespace and $deployment are replaced by this "
      + "ModelDeployment's namespace and name, escaped for use inside a quoted label value.")
  private String query;

  public Type getType() {
    return type;
  }

  public void setType(Type type) {
    this.type = type;
  }

  public Double getTargetPerReplica() {
    return targetPerReplica;
  }

  public void setTargetPerReplica(Double targetPerReplica) {
    this.targetPerReplica = targetPerReplica;
  }

  public String getTargetLatency() {
    return targetLatency;
  }

  public void setTargetLatency(String targetLatency) {
    this.targetLatency = targetLatency;
  }

  public Integer getTargetUtilization() {
    return targetUtilization;
  }

  public void setTargetUtilization(Integer targetUtilization) {
    this.targetUtilization = targetUtilization;
  }

  public Double getTargetValue() {
    return targetValue;
  }

  public void setTargetValue(Double targetValue) {
    this.targetValue = targetValue;
  }

  public String getQuery() {
    return query;
  }

  public void setQuery(String query) {
    this.query = query;
  }
}
