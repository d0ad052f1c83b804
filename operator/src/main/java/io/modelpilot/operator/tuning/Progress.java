package io.modelpilot.operator.tuning;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelpilot.operator.api.v1alpha1.ApplySpec;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.TuningJob;
import io.modelpilot.operator.api.v1alpha1.TuningJobStatus;
import io.modelpilot.operator.api.v1alpha1.AppliedStatus;
import io.modelpilot.operator.api.v1alpha1.BestTrial;
import io.modelpilot.operator.api.v1alpha1.Recommendation;
import io.modelpilot.operator.api.v1alpha1.TuningJobStatus.Phase;
import io.modelpilot.operator.api.v1alpha1.TrialStatus;
import io.modelpilot.operator.search.Best;
import io.modelpilot.operator.search.Observation;
import io.modelpilot.operator.search.Study;
import io.modelpilot.operator.status.Announcement;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.operator.status.Reasons;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One reconcile's view of a TuningJob: the status it started from, what changed, and the Events to record. The
 * status is composed here and nowhere else ({@link #status()}).
 */
final class Progress {

  private final TuningJob tj;
  private final Instant now;
  private final long generation;
  private final TuningJobStatus previous;
  private final List<Announcement> events = new ArrayList<>();
  private List<TrialStatus> trials;
  private Phase phase;
  private String reason;
  private String message;
  private BestTrial best;
  private Recommendation recommendation;
  private AppliedStatus applied;
  private Study study;
  private boolean blockedOnTarget;

  private Progress(TuningJob tj, Instant now) {
    this.tj = tj;
    this.now = now;
    this.generation = tj.getMetadata().getGeneration() == null ? 0 : tj.getMetadata().getGeneration();
    this.previous = tj.getStatus() == null ? new TuningJobStatus() : tj.getStatus();
    this.trials = new ArrayList<>(previous.getTrials() == null ? List.of() : previous.getTrials());
    this.phase = previous.getPhase() == null ? Phase.PENDING : previous.getPhase();
    this.best = previous.getBestTrial();
    this.recommendation = previous.getRecommendation();
    this.applied = previous.getApplied();
    Optional<Condition> ready = Conditions.find(previous.getConditions(), Conditions.READY);
    this.reason = ready.map(Condition::getReason).orElse(null);
    this.message = ready.map(Condition::getMessage).orElse(null);
  }

  static Progress of(TuningJob tj, Instant now) {
    return new Progress(tj, now);
  }

  /** Over (Succeeded or Failed): a TuningJob runs once, as a Job does. */
  boolean settled() {
    return phase.terminal();
  }

  /** The search the spec describes, or null after reporting why the spec cannot be searched. */
  Study study() {
    try {
      study = Studies.study(tj.getSpec());
      return study;
    } catch (IllegalArgumentException e) {
      String text = "spec cannot be searched: " + e.getMessage();
      if (!text.equals(message)) {
        events.add(Announcement.warning(Reasons.INVALID_SPEC, text));
      }
      reason = Reasons.INVALID_SPEC;
      message = text;
      return null;
    }
  }

  List<TrialStatus> trials() {
    return trials;
  }

  void trials(List<TrialStatus> synced) {
    this.trials = new ArrayList<>(synced);
    if (phase == Phase.PENDING && !trials.isEmpty()) {
      phase = Phase.RUNNING;
    }
  }

  List<Announcement> events() {
    return events;
  }

  void blocked(String why, String text) {
    if (!why.equals(reason)) {
      events.add(Announcement.warning(why, text));
    }
    reason = why;
    message = text;
    blockedOnTarget = true;
  }

  boolean blockedOnTarget() {
    return blockedOnTarget;
  }

  boolean searching() {
    return phase == Phase.PENDING || phase == Phase.RUNNING;
  }

  boolean applying() {
    return phase == Phase.APPLYING;
  }

  /** More failed trials than maxFailedTrials ends the TuningJob Failed. */
  boolean tooManyFailures() {
    long failed = trials.stream().filter(t -> t.getPhase() == TrialStatus.Phase.FAILED).count();
    int limit = tj.getSpec().maxFailedTrialsOrDefault();
    if (failed <= limit) {
      return false;
    }
    end(Phase.FAILED, Reasons.TOO_MANY_FAILED_TRIALS, "%d trials failed, more than maxFailedTrials %d; the last: %s"
        .formatted(failed, limit, trials.stream().filter(t -> t.getPhase() == TrialStatus.Phase.FAILED)
            .reduce((a, b) -> b).map(t -> t.getName() + ": " + t.getMessage()).orElse("")), true);
    return true;
  }

  int freeSlots() {
    long running = running();
    int room = tj.getSpec().parallelTrialsOrDefault() - (int) running;
    int left = tj.getSpec().maxTrialsOrDefault() - trials.size();
    phase = Phase.RUNNING;
    reason = Reasons.TRIALS_RUNNING;
    message = null;
    return Math.max(0, Math.min(room, left));
  }

  List<Observation> history(List<Map<String, String>> rolledBackByPath) {
    List<Map<String, String>> points = new ArrayList<>();
    for (Map<String, String> byPath : rolledBackByPath) {
      Map<String, String> point = Studies.byName(tj.getSpec().getParameters(), byPath);
      if (point != null) {
        points.add(point);
      }
    }
    return Studies.history(study, trials, points);
  }

  /** No trial is running and none can start: maxTrials reached, or the space has no point left. */
  boolean searchOver() {
    return running() == 0;
  }

  /** Records the best trial and ships it (policy Canary) or recommends it (Manual). */
  void ship(ModelDeployment target, Shipping shipping) {
    Optional<Observation> winner = Best.of(study, Studies.history(study, trials, List.of()));
    if (winner.isEmpty()) {
      end(Phase.FAILED, Reasons.NO_FEASIBLE_TRIAL, "no trial succeeded within the constraints ("
          + trials.size() + " trials)", true);
      return;
    }
    TrialStatus trial = trials.stream().filter(t -> t.getName().equals(winner.get().id())).findFirst().orElseThrow();
    Map<String, String> point = trial.getParameters();
    var patch = Tunables.specPatch(tj.getSpec().getParameters(), point, target);
    String capacity = capacity(target, patch, trial);
    recommendation = new Recommendation();
    recommendation.setParameters(Tunables.byPath(tj.getSpec().getParameters(), point));
    recommendation.setPatch(Serialization.asJson(patch));
    ApplySpec apply = tj.getSpec().getApply();
    if (apply == null || apply.policyOrDefault() == ApplySpec.Policy.MANUAL || patch.isEmpty()) {
      end(Phase.SUCCEEDED, Reasons.RECOMMENDED, "best trial " + trial.getName() + " " + point
          + "; status.recommendation.patch applies it to " + target.getMetadata().getName(), false);
      return;
    }
    String revision = shipping.revision(target, tj.getSpec().getParameters(), point);
    if (revision.equals(shipping.revision(target))) {
      end(Phase.SUCCEEDED, Reasons.CURRENT_IS_BEST, "best trial " + trial.getName() + " " + point + " is what "
          + target.getMetadata().getName() + " runs already: nothing to ship", false);
      return;
    }
    try {
      shipping.apply(target, patch);
    } catch (KubernetesClientException e) {
      reason = Reasons.APPLY_FAILED;
      message = "cannot patch " + target.getMetadata().getName() + ": " + e.getMessage();
      events.add(Announcement.warning(Reasons.APPLY_FAILED, message));
      return;
    }
    applied = new AppliedStatus();
    applied.setRevision(revision);
    applied.setOutcome(AppliedStatus.Outcome.PENDING);
    applied.setAppliedAt(now.truncatedTo(ChronoUnit.SECONDS).toString());
    phase = Phase.APPLYING;
    reason = Reasons.APPLYING;
    message = "best trial %s %s shipped to %s as revision %s%s; its canary decides".formatted(trial.getName(), point,
        target.getMetadata().getName(), revision, capacity);
    events.add(Announcement.normal(Reasons.APPLYING, message));
  }

  /**
   * apply.capacityTargetShare: the best trial's measured throughput per pod, times the share, becomes the target's
   * RequestsPerSecond targetPerReplica. Returns what was done, for the message.
   */
  private String capacity(ModelDeployment target, com.fasterxml.jackson.databind.node.ObjectNode patch,
      TrialStatus trial) {
    ApplySpec apply = tj.getSpec().getApply();
    if (apply == null || apply.getCapacityTargetShare() == null) {
      return "";
    }
    Double throughput = trial.getMetrics() == null ? null : trial.getMetrics().get("throughput");
    if (throughput == null) {
      return " (capacityTargetShare ignored: the best trial reported no throughput)";
    }
    double perReplica = throughput * apply.getCapacityTargetShare();
    return Tunables.withCapacity(patch, target, perReplica)
        ? " with autoscaling targetPerReplica " + io.modelpilot.operator.common.Numbers.precise(perReplica)
        : " (capacityTargetShare ignored: the target autoscales on no RequestsPerSecond metric)";
  }

  /** The applied revision's fate in the target's rollout. */
  void watchOutcome(ModelDeployment target, Shipping shipping) {
    AppliedStatus.Outcome outcome = shipping.outcome(target, applied.getRevision());
    switch (outcome) {
      case PENDING -> {
        reason = Reasons.APPLYING;
        message = "revision " + applied.getRevision() + " is being rolled out on " + target.getMetadata().getName();
      }
      case PROMOTED -> {
        applied.setOutcome(outcome);
        end(Phase.SUCCEEDED, Reasons.PROMOTED, "revision " + applied.getRevision() + " (best trial "
            + best.getName() + ") was promoted on " + target.getMetadata().getName(), false);
      }
      case ROLLED_BACK -> {
        applied.setOutcome(outcome);
        applied.setFailingMetric(shipping.failingMetric(target));
        shipping.remember(target, recommendation.getParameters());
        end(Phase.FAILED, Reasons.ROLLED_BACK, "revision %s (best trial %s) was rolled back on %s%s; no later "
            .formatted(applied.getRevision(), best.getName(), target.getMetadata().getName(),
                applied.getFailingMetric() == null ? "" : " on " + applied.getFailingMetric())
            + "TuningJob on it will propose these parameters again", true);
      }
      case SUPERSEDED -> {
        applied.setOutcome(outcome);
        end(Phase.SUCCEEDED, Reasons.SUPERSEDED, "the spec of " + target.getMetadata().getName()
            + " changed before revision " + applied.getRevision() + " was judged", false);
      }
    }
  }

  void error(String text) {
    reason = Reasons.RECONCILE_ERROR;
    message = text;
  }

  /** The whole status after this reconcile. */
  TuningJobStatus status() {
    if (study != null) {
      Best.of(study, Studies.history(study, trials, List.of())).ifPresent(o -> best = bestTrial(o));
    }
    TuningJobStatus s = new TuningJobStatus();
    s.setObservedGeneration(generation);
    s.setPhase(phase);
    s.setTrials(trials);
    long finished = trials.stream().filter(t -> t.getPhase().finished()).count();
    s.setTrialSummary(finished + "/" + tj.getSpec().maxTrialsOrDefault());
    s.setBestTrial(best);
    s.setRecommendation(recommendation);
    s.setApplied(applied);
    boolean ok = phase == Phase.SUCCEEDED;
    boolean failed = phase == Phase.FAILED || blockedOnTarget || Reasons.INVALID_SPEC.equals(reason)
        || Reasons.APPLY_FAILED.equals(reason) || Reasons.RECONCILE_ERROR.equals(reason);
    String why = reason != null ? reason : Reasons.TRIALS_RUNNING;
    String text = message != null ? message : "%d running, %d of %d finished".formatted(running(), finished,
        tj.getSpec().maxTrialsOrDefault());
    var conditions = previous.getConditions();
    conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, ok, why, text, generation, now));
    conditions = Conditions.upsert(conditions, Conditions.of(Conditions.PROGRESSING, !phase.terminal() && !failed,
        why, text, generation, now));
    conditions = Conditions.upsert(conditions, Conditions.of(Conditions.DEGRADED, failed, failed ? why
        : Reasons.AS_EXPECTED, failed ? text : "no problem found", generation, now));
    s.setConditions(conditions);
    return s;
  }

  private BestTrial bestTrial(Observation o) {
    BestTrial b = new BestTrial();
    b.setName(o.id());
    TrialStatus trial = trials.stream().filter(t -> t.getName().equals(o.id())).findFirst().orElse(null);
    b.setParameters(trial == null ? null : trial.getParameters());
    String metric = study.objective().metric();
    Double value = o.metrics().get(metric);
    b.setValue(value);
    b.setSummary(metric + "=" + (value == null ? "?" : io.modelpilot.operator.common.Numbers.precise(value)));
    return b;
  }

  private long running() {
    return trials.stream().filter(t -> !t.getPhase().finished()).count();
  }

  private void end(Phase to, String why, String text, boolean warning) {
    if (!Objects.equals(phase, to) || !why.equals(reason)) {
      events.add(new Announcement(warning, why, text));
    }
    phase = to;
    reason = why;
    message = text;
  }

  /** The spec cannot be searched: only an edit helps, and an edit triggers a reconcile. */
  boolean waitsForSpecChange() {
    return study == null && Reasons.INVALID_SPEC.equals(reason);
  }
}
