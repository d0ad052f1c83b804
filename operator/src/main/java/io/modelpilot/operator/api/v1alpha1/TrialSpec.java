package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.modelpilot.contract.Durations;

/** What one trial runs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.benchmark) != has(self.template)",
    message = "a trial is either the built-in benchmark or a template, exactly one of them", reason = "FieldValueInvalid")
public class TrialSpec {

  @JsonPropertyDescription("The built-in trial: the target's model served by the runtime image with the candidate "
      + "settings, on the target's node selector, GPUs and resources, under closed-loop load on loopback.")
  private BenchmarkTrial benchmark;

  @PreserveUnknownFields
  @SchemaFrom(type = PodTemplateSchema.class)
  @JsonPropertyDescription("A Job pod template of your own (restartPolicy Never). Parameters arrive as environment "
      + "variables MODELPILOT_PARAM_<NAME> and as ${params.<name>} in command and args. The container writes one JSON "
      + "object of metrics, e.g. {\"accuracy\": 0.93}, to /dev/termination-log; lines MODELPILOT_INTERMEDIATE "
      + "{\"step\": N, \"value\": X} on standard output feed early stopping.")
  private PodTemplateSpec template;

  @Min(1)
  @Max(86400)
  @Default("1800")
  @JsonPropertyDescription("Seconds a trial may run before it is stopped and counted as failed. Defaults to 1800.")
  private Long activeDeadlineSeconds;

  public long activeDeadlineSecondsOrDefault() {
    return activeDeadlineSeconds == null ? 1800 : activeDeadlineSeconds;
  }

  /**
   * The CRD keeps a pod template opaque (the full PodTemplateSpec schema would be most of the CRD's size); the API
   * server validates it when the trial Job is created, and the operator reports that error on the trial.
   */
  static class PodTemplateSchema {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BenchmarkTrial {

    @Min(1)
    @Max(1024)
    @Default("4")
    @JsonPropertyDescription("Requests in flight at once. Defaults to 4.")
    private Integer concurrency;

    @Size(max = 16)
    @Pattern(Durations.PATTERN)
    @Default("30s")
    @JsonPropertyDescription("How long the measured load runs, e.g. 60s. Defaults to 30s.")
    private String duration;

    @Size(max = 16)
    @Pattern(Durations.PATTERN)
    @Default("3s")
    @JsonPropertyDescription("Load before measuring starts (JIT, caches). Defaults to 3s.")
    private String warmup;

    @Min(1)
    @Max(4096)
    @JsonPropertyDescription("Rows per request (the request's batch dimension). Defaults to 1.")
    private Integer batch;

    public Integer getConcurrency() {
      return concurrency;
    }

    public void setConcurrency(Integer concurrency) {
      this.concurrency = concurrency;
    }

    public String getDuration() {
      return duration;
    }

    public void setDuration(String duration) {
      this.duration = duration;
    }

    public String getWarmup() {
      return warmup;
    }

    public void setWarmup(String warmup) {
      this.warmup = warmup;
    }

    public Integer getBatch() {
      return batch;
    }

    public void setBatch(Integer batch) {
      this.batch = batch;
    }
  }

  public BenchmarkTrial getBenchmark() {
    return benchmark;
  }

  public void setBenchmark(BenchmarkTrial benchmark) {
    this.benchmark = benchmark;
  }

  public PodTemplateSpec getTemplate() {
    return template;
  }

  public void setTemplate(PodTemplateSpec template) {
    this.template = template;
  }

  public Long getActiveDeadlineSeconds() {
    return activeDeadlineSeconds;
  }

  public void setActiveDeadlineSeconds(Long activeDeadlineSeconds) {
    this.activeDeadlineSeconds = activeDeadlineSeconds;
  }
}
