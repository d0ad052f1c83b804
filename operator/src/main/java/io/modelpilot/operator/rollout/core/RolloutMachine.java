package io.modelpilot.operator.rollout.core;

import io.modelpilot.operator.common.Numbers;
import io.modelpilot.operator.rollout.core.Decision.Action;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The canary rollout as a total, deterministic function of (policy, persisted state, observations, now). In each
 * call, in this order:
 *
 * <ol>
 *   <li>A terminal phase (PROMOTED, ROLLED_BACK, ABORTED) stays as it is.
 *   <li>The abort annotation rolls back now; otherwise the promote annotation promotes now, whatever the step
 *       (each only when its value names this canary's revision: the adapter decides that).
 *   <li>A canary not ready for progressDeadline (counted from when it was first seen not ready) rolls back.
 *   <li>An analysis, when one ran: fewer canary requests than minRequests make it inconclusive; otherwise the
 *       worst of its judgements counts. Failed analyses add up over the whole rollout, and more than
 *       failureLimit of them roll back, naming the failing metric.
 *   <li>Progression. Nothing advances while the pause annotation is present or the canary is not ready. An
 *       inconclusive latest analysis pauses the rollout (never a blind promotion) without counting as a failure.
 *       A step without pause waits for the promote annotation. A timed step advances once its pause has elapsed
 *       and its latest {@value #PASSES_TO_ADVANCE} analyses passed (so the latest one did); after the last step
 *       the canary is promoted.
 * </ol>
 */
public final class RolloutMachine {

  public static final String PROMOTE_ANNOTATION = "modelpilot.io/promote";
  public static final String ABORT_ANNOTATION = "modelpilot.io/abort";
  public static final String PAUSE_ANNOTATION = "modelpilot.io/pause";
  /**
   * Passing analyses in a row that a timed step needs. One is not enough: a canary whose metric sits beyond its
   * threshold by less than the noise is mostly inconclusive, and now and then passes by luck; one lucky pass at
   * the end of each step would promote it. Two in a row cost a healthy canary nothing when its pause spans two
   * intervals.
   */
  static final int PASSES_TO_ADVANCE = 2;

  private RolloutMachine() {
  }

  public static RolloutState start(String revision, Instant now) {
    return new RolloutState(revision, Phase.PROGRESSING, 0, now, now, null, null, null, 0, 0, now, null,
        "canary of revision " + revision + " started");
  }

  /** An analysis is due one interval after the latest one, and never sooner than one interval into a step. */
  public static boolean analysisDue(RolloutPolicy policy, RolloutState state, Instant now) {
    if (state.phase().terminal()) {
      return false;
    }
    Instant since = state.stepStartedAt();
    if (state.lastAnalysisAt() != null && state.lastAnalysisAt().isAfter(since)) {
      since = state.lastAnalysisAt();
    }
    return !now.isBefore(since.plus(policy.interval()));
  }

  /** Canary pods for a weight: ceil(total × weight / 100), at least 1 while the weight is above 0. */
  public static int canaryReplicas(int total, int weight) {
    if (total <= 0 || weight <= 0) {
      return 0;
    }
    if (weight >= 100) {
      return total;
    }
    int replicas = (int) ((total * (long) weight + 99) / 100);
    return Math.max(1, Math.min(total, replicas));
  }

  public static Decision next(RolloutPolicy policy, RolloutState state, Signals signals, Instant now) {
    if (state.phase().terminal()) {
      return new Decision(state, weight(policy, state), Action.NONE, Optional.empty());
    }
    String at = " at " + stepLabel(policy, state.stepIndex());
    if (signals.abort()) {
      return end(policy, state, Phase.ABORTED, Action.ABORT, "aborted by annotation " + ABORT_ANNOTATION + at);
    }
    if (signals.promote()) {
      return end(policy, state, Phase.PROMOTED, Action.PROMOTE,
          "promoted by annotation " + PROMOTE_ANNOTATION + at);
    }

    RolloutState s = observeReadiness(state, signals, now);
    if (s.notReadySince() != null && !now.isBefore(s.notReadySince().plus(policy.progressDeadline()))) {
      return end(policy, s, Phase.ROLLED_BACK, Action.ROLLBACK, "rolled back" + at + ": canary not ready within "
          + "progressDeadline " + Numbers.duration(policy.progressDeadline()) + " (" + readiness(signals) + ")");
    }

    if (signals.judgements() != null) {
      s = analyse(policy, s, signals, now);
      if (s.failures() > policy.failureLimit()) {
        return end(policy, s, Phase.ROLLED_BACK, Action.ROLLBACK, "rolled back" + at + ": " + s.failures()
            + " failed analyses > failureLimit " + policy.failureLimit() + "; " + s.lastFailure().describe());
      }
    }
    return progress(policy, state, s, signals, now);
  }

  private static RolloutState observeReadiness(RolloutState state, Signals signals, Instant now) {
    if (signals.canaryReady()) {
      return state.notReadySince() == null ? state : state.notReadySince(null);
    }
    return state.notReadySince() != null ? state : state.notReadySince(now);
  }

  private static RolloutState analyse(RolloutPolicy policy, RolloutState s, Signals signals, Instant now) {
    if (signals.canaryRequests() < policy.minRequests()) {
      return s.analysed(now, Verdict.INCONCLUSIVE, "inconclusive: the canary served " + signals.canaryRequests()
          + " requests in the window, fewer than minRequests " + policy.minRequests(), s.failures(), 0,
          s.lastFailure());
    }
    List<Judgement> judgements = signals.judgements();
    Verdict verdict = CanaryAnalysis.verdict(judgements);
    return switch (verdict) {
      case PASS -> s.analysed(now, verdict, "passed (" + judgements.size() + " metrics)", s.failures(),
          s.passesInARow() + 1, s.lastFailure());
      case INCONCLUSIVE -> s.analysed(now, verdict, "inconclusive: " + first(judgements, verdict).describe(),
          s.failures(), 0, s.lastFailure());
      case FAIL -> {
        Judgement failed = first(judgements, verdict);
        int failures = s.failures() + 1;
        yield s.analysed(now, verdict, "failed (" + failures + " of failureLimit " + policy.failureLimit()
            + " tolerated): " + failed.describe(), failures, 0, failed);
      }
    };
  }

  private static Decision progress(RolloutPolicy policy, RolloutState before, RolloutState s, Signals signals,
      Instant now) {
    int index = Math.min(s.stepIndex(), policy.steps().size() - 1);
    Step step = policy.step(index);
    String here = stepLabel(policy, index);
    String last = s.lastAnalysis() == null ? "" : "; last analysis " + s.lastAnalysis();

    if (signals.pause()) {
      return stay(policy, before, s.in(Phase.PAUSED, "paused by annotation " + PAUSE_ANNOTATION + " at " + here
          + last));
    }
    if (!signals.canaryReady()) {
      return stay(policy, before, s.in(Phase.PROGRESSING, here + ": waiting for the canary to become ready ("
          + readiness(signals) + ", progressDeadline " + Numbers.duration(policy.progressDeadline()) + ")" + last));
    }
    if (s.lastVerdict() == Verdict.INCONCLUSIVE) {
      return stay(policy, before, s.in(Phase.PAUSED, "paused at " + here + ": analysis " + s.lastAnalysis()));
    }
    if (step.manual()) {
      return stay(policy, before, s.in(Phase.AWAITING_PROMOTION, here + " waits for annotation "
          + PROMOTE_ANNOTATION + ": " + s.revision() + last));
    }
    Instant pauseEnds = s.stepStartedAt().plus(step.pause());
    boolean passed = s.passesInARow() >= PASSES_TO_ADVANCE;
    if (now.isBefore(pauseEnds) || !passed) {
      String waiting = now.isBefore(pauseEnds)
          ? "pause " + Numbers.duration(step.pause()) + " until " + pauseEnds
          : "pause elapsed";
      String needs = passed ? "" : ", waiting for " + PASSES_TO_ADVANCE + " passing analyses in a row";
      return stay(policy, before, s.in(Phase.PROGRESSING, here + ": " + waiting + needs + last));
    }

    String after = " after " + s.passesInARow() + " passing analyses in a row at " + here;
    if (policy.lastStep(index)) {
      return end(policy, s, Phase.PROMOTED, Action.PROMOTE, "promoted" + after + ": every step passed");
    }
    RolloutState advanced = s.atStep(index + 1, now);
    String message = "advanced to " + stepLabel(policy, index + 1) + after;
    return new Decision(advanced.in(Phase.PROGRESSING, message), policy.step(index + 1).weight(), Action.ADVANCE,
        Optional.of(message));
  }

  /** No step change; an Event when the phase changed or an analysis failed. */
  private static Decision stay(RolloutPolicy policy, RolloutState before, RolloutState after) {
    boolean eventful = after.phase() != before.phase() || after.failures() > before.failures();
    return new Decision(after, weight(policy, after), Action.NONE,
        eventful ? Optional.of(after.message()) : Optional.empty());
  }

  private static Decision end(RolloutPolicy policy, RolloutState s, Phase phase, Action action, String message) {
    RolloutState ended = s.in(phase, message);
    return new Decision(ended, weight(policy, ended), action, Optional.of(message));
  }

  private static int weight(RolloutPolicy policy, RolloutState state) {
    return switch (state.phase()) {
      case PROMOTED -> 100;
      case ROLLED_BACK, ABORTED -> 0;
      case PROGRESSING, PAUSED, AWAITING_PROMOTION -> policy.step(state.stepIndex()).weight();
    };
  }

  private static Judgement first(List<Judgement> judgements, Verdict verdict) {
    return judgements.stream().filter(j -> j.verdict() == verdict).findFirst().orElseThrow();
  }

  private static String stepLabel(RolloutPolicy policy, int index) {
    int shown = Math.min(index, policy.steps().size() - 1);
    return "step " + (shown + 1) + "/" + policy.steps().size() + " (" + policy.step(shown).weight() + "%)";
  }

  private static String readiness(Signals signals) {
    return signals.canaryReadyReplicas() + "/" + signals.canaryDesiredReplicas() + " replicas ready";
  }
}
