package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "(has(self.algorithm) && has(self.algorithm.name) && self.algorithm.name != 'bayesian') "
    + "|| !has(self.maxTrials) || self.maxTrials <= " + TuningJobSpec.MAX_BAYESIAN_TRIALS,
    message = "bayesian search takes at most " + TuningJobSpec.MAX_BAYESIAN_TRIALS + " trials (its Gaussian process is "
        + "refitted on every suggestion); use random or grid for more", reason = "FieldValueInvalid",
    fieldPath = ".maxTrials")
@ValidationRule(value = "!has(self.parallelTrials) || !has(self.maxTrials) || self.parallelTrials <= self.maxTrials",
    message = "parallelTrials must not exceed maxTrials", reason = "FieldValueInvalid", fieldPath = ".parallelTrials")
@ValidationRule(value = "self.parameters.all(p, self.parameters.exists_one(q, q.name.lowerAscii() == p.name.lowerAscii()))",
    message = "parameter names must be unique, ignoring case (a custom trial sees each as MODELPILOT_PARAM_<NAME>)",
    reason = "FieldValueDuplicate", fieldPath = ".parameters")
@ValidationRule(value = "self.parameters.all(p, !has(p.path) || self.parameters.exists_one(q, has(q.path) && q.path == p.path))",
    message = "two parameters set the same path", reason = "FieldValueDuplicate", fieldPath = ".parameters")
@ValidationRule(value = "!has(self.constraints) || self.constraints.all(c, c.metric != self.objective.metric)",
    message = "a constraint may not name the objective's metric", reason = "FieldValueInvalid",
    fieldPath = ".constraints")
@ValidationRule(value = "has(self.trial.template) || self.parameters.all(p, has(p.path))",
    message = "with the built-in benchmark trial every parameter needs a path: the benchmark runs the target with "
        + "the parameters set there", reason = "FieldValueRequired", fieldPath = ".parameters")
public class TuningJobSpec {

  public static final int DEFAULT_MAX_TRIALS = 20;
  public static final int MAX_TRIALS = 500;
  /** Measured (bench/run tuning, search tests): a suggestion takes ~0.15 s at 100 trials, ~2 s at 200, ~8 s at 400. */
  public static final int MAX_BAYESIAN_TRIALS = 300;
  public static final int DEFAULT_PARALLEL_TRIALS = 1;
  public static final int DEFAULT_MAX_FAILED_TRIALS = 3;

  @Required
  @JsonPropertyDescription("The ModelDeployment to tune, in the TuningJob's namespace.")
  private TargetReference targetRef;

  @Required
  @JsonPropertyDescription("The metric a trial reports that decides which trial is best, and its direction.")
  private TuningObjective objective;

  @Size(max = 8)
  @JsonPropertyDescription("Metrics a trial must keep within bounds to count, e.g. latencyP99Ms max 50. A trial "
      + "outside them is never the best, however good its objective.")
  private List<TuningConstraint> constraints;

  @Required
  @Size(min = 1, max = 16)
  @JsonPropertyDescription("The search space: one entry per setting, each with the field of the target's spec it "
      + "sets.")
  private List<TuningParameter> parameters;

  @JsonPropertyDescription("How the next trial's parameters are chosen.")
  private TuningAlgorithm algorithm;

  @Min(1)
  @Max(MAX_TRIALS)
  @Default("" + DEFAULT_MAX_TRIALS)
  @JsonPropertyDescription("Trials to run in all (a grid stops earlier when it runs out of points). Defaults to 20; "
      + "at most 500, so that every trial fits in status (an object is at most 1.5 MB in etcd).")
  private Integer maxTrials;

  @Min(1)
  @Max(32)
  @Default("" + DEFAULT_PARALLEL_TRIALS)
  @JsonPropertyDescription("Trials running at once. Defaults to 1.")
  private Integer parallelTrials;

  @Min(0)
  @Max(1000)
  @Default("" + DEFAULT_MAX_FAILED_TRIALS)
  @JsonPropertyDescription("Failed trials tolerated; one more ends the TuningJob Failed. Defaults to 3.")
  private Integer maxFailedTrials;

  @JsonPropertyDescription("Stop trials early that are unlikely to beat the others, from the intermediate values "
      + "they report.")
  private EarlyStoppingSpec earlyStopping;

  @Required
  @JsonPropertyDescription("What one trial runs: the built-in benchmark of the target's model, or a Job pod "
      + "template of your own.")
  private TrialSpec trial;

  @JsonPropertyDescription("What to do with the best trial.")
  private ApplySpec apply;

  public int maxTrialsOrDefault() {
    return maxTrials == null ? DEFAULT_MAX_TRIALS : maxTrials;
  }

  public int parallelTrialsOrDefault() {
    return parallelTrials == null ? DEFAULT_PARALLEL_TRIALS : parallelTrials;
  }

  public int maxFailedTrialsOrDefault() {
    return maxFailedTrials == null ? DEFAULT_MAX_FAILED_TRIALS : maxFailedTrials;
  }

  public TargetReference getTargetRef() {
    return targetRef;
  }

  public void setTargetRef(TargetReference targetRef) {
    this.targetRef = targetRef;
  }

  public TuningObjective getObjective() {
    return objective;
  }

  public void setObjective(TuningObjective objective) {
    this.objective = objective;
  }

  public List<TuningConstraint> getConstraints() {
    return constraints;
  }

  public void setConstraints(List<TuningConstraint> constraints) {
    this.constraints = constraints;
  }

  public List<TuningParameter> getParameters() {
    return parameters;
  }

  public void setParameters(List<TuningParameter> parameters) {
    this.parameters = parameters;
  }

  public TuningAlgorithm getAlgorithm() {
    return algorithm;
  }

  public void setAlgorithm(TuningAlgorithm algorithm) {
    this.algorithm = algorithm;
  }

  public Integer getMaxTrials() {
    return maxTrials;
  }

  public void setMaxTrials(Integer maxTrials) {
    this.maxTrials = maxTrials;
  }

  public Integer getParallelTrials() {
    return parallelTrials;
  }

  public void setParallelTrials(Integer parallelTrials) {
    this.parallelTrials = parallelTrials;
  }

  public Integer getMaxFailedTrials() {
    return maxFailedTrials;
  }

  public void setMaxFailedTrials(Integer maxFailedTrials) {
    this.maxFailedTrials = maxFailedTrials;
  }

  public EarlyStoppingSpec getEarlyStopping() {
    return earlyStopping;
  }

  public void setEarlyStopping(EarlyStoppingSpec earlyStopping) {
    this.earlyStopping = earlyStopping;
  }

  public TrialSpec getTrial() {
    return trial;
  }

  public void setTrial(TrialSpec trial) {
    this.trial = trial;
  }

  public ApplySpec getApply() {
    return apply;
  }

  public void setApply(ApplySpec apply) {
    this.apply = apply;
  }
}
