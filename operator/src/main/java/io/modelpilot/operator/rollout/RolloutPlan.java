package io.modelpilot.operator.rollout;

import io.modelpilot.operator.api.v1alpha1.CanaryStatus;
import io.modelpilot.operator.status.Announcement;

import java.time.Duration;
import java.util.List;

/**
 * What one reconcile of a rollout decided.
 *
 * @param tracks what the two Deployments should run
 * @param traffic how requests reach them: the pods' ratio, or the route's weights
 * @param stableRevision the revision the stable track runs after this reconcile
 * @param canary the new status.canary; null: none
 * @param events Events to record
 * @param failure the Degraded message after a rollback of this spec; null otherwise
 * @param recheckIn when to look again; null: no canary to watch
 * @param holdScaleDown the autoscaler may not scale the total down (a canary is being analysed)
 */
public record RolloutPlan(Tracks tracks, Traffic traffic, String stableRevision, CanaryStatus canary,
    List<Announcement> events, String failure, Duration recheckIn, boolean holdScaleDown) {

  /** No canary under analysis: nothing failed, nothing held. */
  static RolloutPlan settled(Tracks tracks, Traffic traffic, String stableRevision, CanaryStatus canary,
      List<Announcement> events, Duration recheckIn) {
    return new RolloutPlan(tracks, traffic, stableRevision, canary, events, null, recheckIn, false);
  }

  /** This spec's canary failed: stable keeps its revision, the failure shows as Degraded. */
  static RolloutPlan failed(Tracks tracks, Traffic traffic, String stableRevision, CanaryStatus canary,
      List<Announcement> events, String failure) {
    return new RolloutPlan(tracks, traffic, stableRevision, canary, events, failure, null, false);
  }

  /** This spec's canary failed; its pods stay until {@code recheckIn}, while the route stops sending to them. */
  static RolloutPlan draining(Tracks tracks, Traffic traffic, String stableRevision, CanaryStatus canary,
      List<Announcement> events, String failure, Duration recheckIn) {
    return new RolloutPlan(tracks, traffic, stableRevision, canary, events, failure, recheckIn, false);
  }

  /** A canary beside stable, being analysed. */
  static RolloutPlan analysing(Tracks tracks, Traffic traffic, String stableRevision, CanaryStatus canary,
      List<Announcement> events, Duration recheckIn) {
    return new RolloutPlan(tracks, traffic, stableRevision, canary, events, null, recheckIn, true);
  }
}
