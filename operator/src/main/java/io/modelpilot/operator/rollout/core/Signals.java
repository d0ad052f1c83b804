package io.modelpilot.operator.rollout.core;

import java.util.List;

/**
 * What the reconciler observed for one call of the machine.
 *
 * @param canaryReadyReplicas ready pods of the canary
 * @param canaryDesiredReplicas pods the canary should have at its current weight
 * @param canaryRequests requests the canary served in the analysis window (ignored when no analysis ran)
 * @param judgements this interval's judgements, one per metric; null when no analysis ran in this call
 * @param promote the modelpilot.io/promote annotation names this canary's revision
 * @param abort the modelpilot.io/abort annotation names this canary's revision
 * @param pause the modelpilot.io/pause annotation is present
 */
public record Signals(int canaryReadyReplicas, int canaryDesiredReplicas, long canaryRequests,
    List<Judgement> judgements, boolean promote, boolean abort, boolean pause) {

  public Signals {
    judgements = judgements == null ? null : List.copyOf(judgements);
  }

  /** The canary's pods are ready and nothing else happened. */
  public static Signals ready(int replicas) {
    return new Signals(replicas, replicas, 0, null, false, false, false);
  }

  public Signals withReadiness(int ready, int desired) {
    return new Signals(ready, desired, canaryRequests, judgements, promote, abort, pause);
  }

  public Signals withAnalysis(long requests, List<Judgement> interval) {
    return new Signals(canaryReadyReplicas, canaryDesiredReplicas, requests, interval, promote, abort, pause);
  }

  public Signals withPromote() {
    return new Signals(canaryReadyReplicas, canaryDesiredReplicas, canaryRequests, judgements, true, abort, pause);
  }

  public Signals withAbort() {
    return new Signals(canaryReadyReplicas, canaryDesiredReplicas, canaryRequests, judgements, promote, true, pause);
  }

  public Signals withPause() {
    return new Signals(canaryReadyReplicas, canaryDesiredReplicas, canaryRequests, judgements, promote, abort, true);
  }

  public boolean canaryReady() {
    return canaryReadyReplicas >= canaryDesiredReplicas;
  }
}
