package io.modelpilot.operator.rollout;

import io.modelpilot.contract.Durations;
import io.modelpilot.operator.api.v1alpha1.AnalysisSpec;
import io.modelpilot.operator.api.v1alpha1.AnalysisVerdict;
import io.modelpilot.operator.api.v1alpha1.CanaryPhase;
import io.modelpilot.operator.api.v1alpha1.CanaryStatus;
import io.modelpilot.operator.api.v1alpha1.RolloutSpec;
import io.modelpilot.operator.api.v1alpha1.RolloutStep;
import io.modelpilot.operator.metrics.MetricsWindows;
import io.modelpilot.operator.rollout.core.Judgement;
import io.modelpilot.operator.rollout.core.Phase;
import io.modelpilot.operator.rollout.core.RolloutPolicy;
import io.modelpilot.operator.rollout.core.RolloutState;
import io.modelpilot.operator.rollout.core.Step;
import io.modelpilot.operator.rollout.core.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Between the API and the pure rollout core: spec.rollout → {@link RolloutPolicy}, status.canary ⇄
 * {@link RolloutState}. status.canary is the whole state, so an operator restart resumes from it.
 */
final class CanaryMapping {

  private CanaryMapping() {
  }

  /**
   * The analysis judges every interval over the last interval, so the interval is also the window: it is raised
   * to the shortest window that holds enough scrapes.
   */
  static RolloutPolicy policy(RolloutSpec spec, MetricsWindows windows) {
    List<Step> steps = new ArrayList<>();
    for (RolloutStep s : spec.getSteps()) {
      steps.add(s.getPause() == null ? Step.manual(s.getWeight()) : Step.timed(s.getWeight(),
          Durations.parse(s.getPause())));
    }
    AnalysisSpec a = spec.getAnalysis() == null ? new AnalysisSpec() : spec.getAnalysis();
    Duration interval = Durations.parse(a.intervalOrDefault());
    if (interval.toSeconds() < 1) {
      interval = Duration.ofSeconds(1);
    }
    interval = windows.effective(interval);
    return new RolloutPolicy(steps, interval, a.failureLimitOrDefault(), a.minRequestsOrDefault(),
        Durations.parse(spec.progressDeadlineOrDefault()));
  }

  static String describe(RolloutPolicy policy) {
    List<String> steps = new ArrayList<>();
    for (Step s : policy.steps()) {
      steps.add(s.weight() + "%" + (s.manual() ? " until promoted" : " for " + s.pause().toSeconds() + "s"));
    }
    return "steps " + String.join(", ", steps) + "; analysis every " + policy.interval().toSeconds() + "s";
  }

  /** A known phase that is not terminal. */
  static boolean underWay(CanaryStatus status) {
    return status != null && !terminal(status);
  }

  static boolean terminal(CanaryStatus status) {
    return status.getPhase() == null || status.getPhase().terminal();
  }

  static boolean failed(CanaryStatus status) {
    return status.getPhase() == CanaryPhase.ROLLED_BACK || status.getPhase() == CanaryPhase.ABORTED;
  }

  static RolloutState toState(CanaryStatus s) {
    Instant started = instant(s.getStartedAt());
    return new RolloutState(s.getRevision(), Phase.valueOf(s.getPhase().name()), nz(s.getStep()), started,
        instantOr(s.getStepStartedAt(), started), instant(s.getLastAnalysisAt()), verdict(s.getLastVerdict()),
        s.getLastAnalysis(), nz(s.getFailures()), nz(s.getPassesInARow()), instant(s.getNotReadySince()),
        s.getLastFailure() == null ? null : new Judgement(s.getLastFailure().getMetric(),
            verdict(s.getLastFailure().getVerdict()), s.getLastFailure().getValue(), s.getLastFailure().getThreshold(),
            s.getLastFailure().getMessage()),
        s.getMessage() == null ? "" : s.getMessage());
  }

  static CanaryStatus toStatus(RolloutState state, CanaryStatus previous, List<Judgement> judgements, int weight) {
    CanaryStatus s = new CanaryStatus();
    s.setRevision(state.revision());
    s.setPhase(CanaryPhase.valueOf(state.phase().name()));
    s.setStep(state.stepIndex());
    s.setWeight(weight);
    s.setFailures(state.failures());
    s.setPassesInARow(state.passesInARow());
    s.setMessage(state.message());
    s.setStartedAt(text(state.startedAt()));
    s.setStepStartedAt(text(state.stepStartedAt()));
    s.setLastAnalysisAt(text(state.lastAnalysisAt()));
    s.setLastVerdict(verdict(state.lastVerdict()));
    s.setLastAnalysis(state.lastAnalysis());
    s.setNotReadySince(text(state.notReadySince()));
    s.setLastFailure(state.lastFailure() == null ? null : judgement(state.lastFailure()));
    if (judgements != null) {
      s.setAnalysis(judgements.stream().map(CanaryMapping::judgement).toList());
    } else if (previous != null && state.revision().equals(previous.getRevision())) {
      s.setAnalysis(previous.getAnalysis());
    }
    if (previous != null && previous.getFailedRevision() != null) {
      s.setFailedRevision(previous.getFailedRevision());
    }
    return s;
  }

  /** A copy to change (the status in hand belongs to the informer's cache). */
  static CanaryStatus copy(CanaryStatus s) {
    CanaryStatus c = new CanaryStatus();
    c.setRevision(s.getRevision());
    c.setPhase(s.getPhase());
    c.setStep(s.getStep());
    c.setWeight(s.getWeight());
    c.setEffectiveWeight(s.getEffectiveWeight());
    c.setTraffic(s.getTraffic());
    c.setFailures(s.getFailures());
    c.setPassesInARow(s.getPassesInARow());
    c.setMessage(s.getMessage());
    c.setStartedAt(s.getStartedAt());
    c.setStepStartedAt(s.getStepStartedAt());
    c.setLastAnalysisAt(s.getLastAnalysisAt());
    c.setFailedRevision(s.getFailedRevision());
    c.setLastVerdict(s.getLastVerdict());
    c.setLastAnalysis(s.getLastAnalysis());
    c.setAnalysis(s.getAnalysis());
    c.setLastFailure(s.getLastFailure());
    c.setNotReadySince(s.getNotReadySince());
    c.setReadySince(s.getReadySince());
    c.setIgnoredAnnotations(s.getIgnoredAnnotations());
    return c;
  }

  static String failureMessage(CanaryStatus s) {
    String what = s.getLastFailure() != null ? s.getLastFailure().getMetric() + ": " + s.getLastFailure().getMessage()
        : s.getMessage();
    return "canary of revision %s %s: %s".formatted(s.getRevision(),
        s.getPhase() == CanaryPhase.ABORTED ? "aborted" : "rolled back", what);
  }

  static String text(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  static Instant instant(String t) {
    return t == null ? null : Instant.parse(t);
  }

  private static CanaryStatus.Judgement judgement(Judgement j) {
    Double value = j.value() == null || j.value().isNaN() ? null : Math.round(j.value() * 10000) / 10000.0;
    return new CanaryStatus.Judgement(j.metric(), verdict(j.verdict()), value, j.threshold(), j.message());
  }

  private static AnalysisVerdict verdict(Verdict v) {
    return v == null ? null : AnalysisVerdict.valueOf(v.name());
  }

  private static Verdict verdict(AnalysisVerdict v) {
    return v == null ? null : Verdict.valueOf(v.name());
  }

  private static Instant instantOr(String t, Instant otherwise) {
    return t == null ? otherwise : Instant.parse(t);
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }
}
