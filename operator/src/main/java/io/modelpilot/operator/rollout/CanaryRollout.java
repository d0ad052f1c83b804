package io.modelpilot.operator.rollout;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.api.v1alpha1.CanaryPhase;
import io.modelpilot.operator.api.v1alpha1.CanaryStatus;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.RolloutSpec;
import io.modelpilot.operator.api.v1alpha1.TrafficMode;
import io.modelpilot.operator.metrics.MetricsWindows;
import io.modelpilot.operator.metrics.PrometheusClient;
import io.modelpilot.operator.rollout.core.Decision;
import io.modelpilot.operator.rollout.core.Judgement;
import io.modelpilot.operator.rollout.core.Phase;
import io.modelpilot.operator.rollout.core.RolloutMachine;
import io.modelpilot.operator.rollout.core.RolloutPolicy;
import io.modelpilot.operator.rollout.core.RolloutState;
import io.modelpilot.operator.rollout.core.Signals;
import io.modelpilot.operator.status.Announcement;
import io.modelpilot.operator.status.Reasons;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The adapter around {@link RolloutMachine}: reads the rollout's state from status.canary
 * ({@link CanaryMapping}), has canary and stable measured when an analysis is due ({@link CanaryMeasurements}),
 * asks the pure machine, and turns its decision into {@link Tracks}, a new status.canary and Events. It holds no
 * state: a restarted operator resumes from the status.
 */
public class CanaryRollout {

  public static final String ANNOTATION_PROMOTE = RolloutMachine.PROMOTE_ANNOTATION;
  public static final String ANNOTATION_ABORT = RolloutMachine.ABORT_ANNOTATION;
  public static final String ANNOTATION_PAUSE = RolloutMachine.PAUSE_ANNOTATION;
  /** How often a canary is looked at between analyses (readiness, pauses, annotations). */
  static final Duration TICK = Duration.ofSeconds(2);
  static final Duration MIN_WARM_UP = Duration.ofSeconds(15);

  private final CanaryMeasurements measurements;
  private final MetricsWindows windows;

  public CanaryRollout(Function<URI, PrometheusClient> prometheus, URI defaultPrometheus, MetricsWindows windows,
      boolean queriesMayReadOtherNamespaces) {
    this.measurements = new CanaryMeasurements(prometheus, defaultPrometheus, queriesMayReadOtherNamespaces);
    this.windows = windows;
  }

  /**
   * Pod-ratio traffic: one Service over both tracks.
   *
   * @see #plan(ModelDeployment, Deployment, Deployment, int, String, boolean, Instant)
   */
  public RolloutPlan plan(ModelDeployment md, Deployment stable, Deployment canary, int total, String specRevision,
      Instant now) {
    return plan(md, stable, canary, total, specRevision, false, now);
  }

  /**
   * @param stable the stable Deployment as last seen (null before the first rollout)
   * @param canary the canary Deployment as last seen (null when none)
   * @param total replicas the model should have in all: spec.replicas or the autoscaler's count
   * @param specRevision the revision the spec asks for
   * @param routed the operator's HTTPRoute splits the requests (spec.rollout.traffic.gatewayAPI, and the cluster
   *     serves HTTPRoutes): stable keeps every replica, the canary runs its step's share beside it, and the route's
   *     weights, not the pods, set the canary's share
   */
  public RolloutPlan plan(ModelDeployment md, Deployment stable, Deployment canary, int total, String specRevision,
      boolean routed, Instant now) {
    RolloutSpec rollout = md.getSpec().getRollout();
    CanaryStatus previous = md.getStatus() == null ? null : md.getStatus().getCanary();
    String stableRevision = stable == null ? null : revisionOf(stable);
    List<Announcement> events = new ArrayList<>();

    if (rollout == null || stable == null || stableRevision == null) {
      // no canary policy, or the first rollout: the spec goes straight to every replica
      return RolloutPlan.settled(Tracks.allStable(total), Traffic.allStable(routed), specRevision,
          rollout == null ? null : previous, events, null);
    }
    if (specRevision.equals(stableRevision)) {
      return backOnStable(previous, stable, canary, total, specRevision, Traffic.allStable(routed), events);
    }
    PodTemplateSpec kept = stable.getSpec().getTemplate();
    if (previous != null && specRevision.equals(previous.getRevision()) && CanaryMapping.failed(previous)) {
      // this spec failed: it stays off until the spec changes
      return RolloutPlan.failed(new Tracks(total, kept, 0), Traffic.allStable(routed), stableRevision, previous,
          events, CanaryMapping.failureMessage(previous));
    }

    if (total == 0) {
      // nothing serves and nothing can be judged: the new revision waits, stable keeps its template, and a canary
      // under way is frozen rather than rolled back for pods that were never wanted
      return RolloutPlan.settled(new Tracks(0, kept, 0), Traffic.allStable(routed), stableRevision,
          frozen(previous, specRevision), events, null);
    }
    RolloutPolicy policy = CanaryMapping.policy(rollout, windows);
    RolloutState state;
    if (previous != null && specRevision.equals(previous.getRevision()) && !CanaryMapping.terminal(previous)) {
      state = CanaryMapping.toState(previous);
    } else {
      if (CanaryMapping.underWay(previous)) {
        events.add(Announcement.normal(Reasons.CANARY_SUPERSEDED, "canary of revision %s superseded by revision %s"
            .formatted(previous.getRevision(), specRevision)));
      }
      state = RolloutMachine.start(specRevision, now);
      events.add(Announcement.normal(Reasons.CANARY_STARTED, "canary of revision %s beside stable %s: %s"
          .formatted(specRevision, stableRevision, CanaryMapping.describe(policy))));
    }

    int canaryNow = canary == null ? 0 : replicas(canary);
    int canaryReady = canary == null ? 0 : ready(canary);
    boolean canaryCurrent = canary != null && specRevision.equals(revisionOf(canary)) && observed(canary)
        && updated(canary) >= canaryNow;
    Control promote = Control.of(md, ANNOTATION_PROMOTE, specRevision);
    Control abort = Control.of(md, ANNOTATION_ABORT, specRevision);
    Signals signals = new Signals(canaryCurrent ? canaryReady : 0, Math.max(1, canaryNow), 0, null,
        promote.acts(), abort.acts(), annotated(md, ANNOTATION_PAUSE));
    List<String> ignored = ignoredControls(previous, specRevision, List.of(promote, abort), events);
    boolean allReady = canaryCurrent && canaryNow > 0 && canaryReady >= canaryNow;
    Instant readySince = !allReady ? null
        : previous != null && specRevision.equals(previous.getRevision()) && previous.getReadySince() != null
            ? Instant.parse(previous.getReadySince()) : now;
    boolean warm = readySince != null && !readySince.plus(warmUp(policy)).isAfter(now);
    List<Judgement> judgements = null;
    if (warm && RolloutMachine.analysisDue(policy, state, now)) {
      CanaryMeasurements.Analysis analysis = measurements.analyse(md, policy, specRevision, stableRevision);
      judgements = analysis.judgements();
      signals = signals.withAnalysis(analysis.canaryRequests(), judgements);
    }
    Decision decision = RolloutMachine.next(policy, state, signals, now);
    decision.event().ifPresent(message -> events.add(new Announcement(
        decision.action() == Decision.Action.ROLLBACK || decision.action() == Decision.Action.ABORT,
        eventReason(decision), message)));

    CanaryStatus status = CanaryMapping.toStatus(decision.state(), previous, judgements, decision.canaryWeight());
    status.setReadySince(CanaryMapping.text(readySince));
    status.setIgnoredAnnotations(ignored.isEmpty() ? null : ignored);
    status.setTraffic(routed ? TrafficMode.HTTP_ROUTE : TrafficMode.POD_RATIO);
    Traffic allStable = Traffic.allStable(routed);
    int previousWeight = previous != null && specRevision.equals(previous.getRevision())
        && previous.getTraffic() == TrafficMode.HTTP_ROUTE && previous.getEffectiveWeight() != null
        ? previous.getEffectiveWeight() : 0;
    return switch (decision.action()) {
      case ROLLBACK, ABORT -> {
        status.setFailedRevision(specRevision);
        status.setWeight(0);
        if (routed && previousWeight > 0) {
          // the route still sends the canary its share: it goes to 0 now, and the canary's pods stay one more
          // look (TICK) so the Gateway stops sending before they go, rather than to a Service without endpoints
          yield RolloutPlan.draining(effective(new Tracks(total, kept, canaryNow), allStable, status), allStable,
              stableRevision, status, events, CanaryMapping.failureMessage(status), TICK);
        }
        yield RolloutPlan.failed(effective(new Tracks(total, kept, 0), allStable, status), allStable, stableRevision,
            status, events, CanaryMapping.failureMessage(status));
      }
      case PROMOTE -> {
        status.setWeight(100);
        // the stable track takes the new revision; the canary keeps its pods until it is rolled out (behind the one
        // Service they serve meanwhile; a route sends every request to stable at once, whose rolling update keeps
        // it serving)
        yield RolloutPlan.settled(effective(new Tracks(total, null, Math.max(canaryNow, 1)), allStable, status),
            allStable, specRevision, status, events, TICK);
      }
      default -> {
        int canaryReplicas = RolloutMachine.canaryReplicas(total, Math.max(decision.canaryWeight(), 1));
        if (routed) {
          // the route sets the share: stable keeps every pod (its share can go back to 100% at once on a rollback),
          // the canary runs the step's share of them beside it, as Argo Rollouts' default with traffic routing
          boolean ofThisRevision = canary != null && specRevision.equals(revisionOf(canary));
          Traffic traffic = new Traffic(TrafficMode.HTTP_ROUTE, Traffic.routeWeight(decision.canaryWeight(),
              ofThisRevision ? canaryReady : 0, canaryCurrent && canaryReady >= canaryReplicas, previousWeight));
          yield RolloutPlan.analysing(effective(new Tracks(total, kept, canaryReplicas), traffic, status), traffic,
              stableRevision, status, events, recheck(policy));
        }
        // stable keeps a pod even at a 100% step: the analysis compares the canary with it, and a rollback then
        // starts from a warm pod instead of from nothing
        int stableReplicas = Math.max(1, total - canaryReplicas);
        yield RolloutPlan.analysing(effective(new Tracks(stableReplicas, kept, canaryReplicas), allStable, status),
            allStable, stableRevision, status, events, recheck(policy));
      }
    };
  }

  /**
   * status.canary.effectiveWeight: the canary's share of the requests. With a route its weight there; otherwise its
   * share of the pods these tracks run.
   */
  private static Tracks effective(Tracks tracks, Traffic traffic, CanaryStatus status) {
    int all = tracks.stableReplicas() + tracks.canaryReplicas();
    status.setEffectiveWeight(traffic.routed() ? traffic.canaryWeight()
        : all == 0 ? 0 : (int) Math.round(100.0 * tracks.canaryReplicas() / all));
    return tracks;
  }

  /** A canary under way for this revision, held while no replica is wanted: its readiness clock stops. */
  private static CanaryStatus frozen(CanaryStatus previous, String specRevision) {
    if (previous == null || !specRevision.equals(previous.getRevision()) || !CanaryMapping.underWay(previous)) {
      return previous;
    }
    CanaryStatus held = CanaryMapping.copy(previous);
    held.setNotReadySince(null);
    held.setReadySince(null);
    held.setEffectiveWeight(0);
    held.setMessage("held: 0 replicas are wanted, so there is no canary to judge");
    return held;
  }

  /** The spec is what stable runs: a canary still on has nothing left to show, a promoted one hands over. */
  private static RolloutPlan backOnStable(CanaryStatus previous, Deployment stable, Deployment canary, int total,
      String specRevision, Traffic traffic, List<Announcement> events) {
    CanaryStatus status = previous;
    int canaryReplicas = 0;
    Duration recheck = null;
    if (CanaryMapping.underWay(previous)) {
      events.add(Announcement.normal(Reasons.CANARY_SUPERSEDED, "canary of revision %s dropped: the spec is back to "
          .formatted(previous.getRevision()) + "the stable revision " + specRevision));
      status = null;
    } else if (previous != null && previous.getPhase() == CanaryPhase.PROMOTED
        && specRevision.equals(previous.getRevision()) && canary != null && !rolledOut(stable, total)) {
      // promoted: the canary keeps serving until the stable track runs the new revision everywhere
      canaryReplicas = replicas(canary);
      recheck = TICK;
    }
    return RolloutPlan.settled(new Tracks(total, null, canaryReplicas), traffic, specRevision, status, events,
        recheck);
  }

  /** A canary is (or is about to be) under analysis: status.canary is under way for a revision stable lacks. */
  public static boolean underAnalysis(ModelDeployment md, Deployment stable) {
    if (md.getSpec().getRollout() == null || stable == null || md.getStatus() == null) {
      return false;
    }
    CanaryStatus canary = md.getStatus().getCanary();
    return CanaryMapping.underWay(canary) && !canary.getRevision().equals(revisionOf(stable));
  }

  /**
   * A promote or abort annotation acts on the canary whose revision its value names, and on no other: a GitOps
   * tool that keeps re-applying {@code modelpilot.io/promote: <revision>} (Argo CD self-heal, Flux) re-states a
   * decision about that revision, and never fires again on the next canary. So the operator never removes or
   * rewrites them: removing one would make such a tool apply it again, and a one-shot value ("true") would then
   * promote whatever canary runs next.
   *
   * @param acts the value names this canary's revision
   * @param ignored {@code annotation=value} when the annotation is there but names something else; else null
   */
  record Control(String annotation, boolean acts, String ignored) {

    static Control of(ModelDeployment md, String annotation, String revision) {
      Map<String, String> annotations = md.getMetadata().getAnnotations();
      String value = annotations == null ? null : annotations.get(annotation);
      if (value == null) {
        return new Control(annotation, false, null);
      }
      return revision.equals(value.trim()) ? new Control(annotation, true, null)
          : new Control(annotation, false, annotation + "=" + value);
    }
  }

  /** The ignored annotations, with an Event for each this canary has not been told about yet. */
  private static List<String> ignoredControls(CanaryStatus previous, String revision, List<Control> controls,
      List<Announcement> events) {
    List<String> before = previous != null && revision.equals(previous.getRevision())
        && previous.getIgnoredAnnotations() != null ? previous.getIgnoredAnnotations() : List.of();
    List<String> ignored = new ArrayList<>();
    for (Control c : controls) {
      if (c.ignored() == null) {
        continue;
      }
      ignored.add(c.ignored());
      if (!before.contains(c.ignored())) {
        String value = c.ignored().substring(c.annotation().length() + 1);
        events.add(Announcement.normal(Reasons.ANNOTATION_IGNORED, "annotation %s=%s ignored: it names %s, not "
            .formatted(c.annotation(), value, value.isBlank() || value.equals("true") ? "no revision"
                : "revision " + value)
            + "this canary's revision %s (set %s: %s to act on it)".formatted(revision, c.annotation(), revision)));
      }
    }
    return ignored;
  }

  /** Whether status.canary describes a rollout still under way. */
  public static boolean underWay(CanaryStatus status) {
    return CanaryMapping.underWay(status);
  }

  /**
   * How long a canary whose pods all became ready serves before its first analysis: one interval, at least
   * {@link #MIN_WARM_UP}. Measured in the local cluster: a fresh model-server JVM answers with about 3× the
   * stable pods' p99 for its first 5-10 s (JIT, caches); judged then, a healthy canary fails a latency ratio.
   */
  static Duration warmUp(RolloutPolicy policy) {
    return policy.interval().compareTo(MIN_WARM_UP) < 0 ? MIN_WARM_UP : policy.interval();
  }

  private static Duration recheck(RolloutPolicy policy) {
    return policy.interval().compareTo(TICK) < 0 ? policy.interval() : TICK;
  }

  private static String eventReason(Decision d) {
    return switch (d.action()) {
      case ROLLBACK -> Reasons.CANARY_ROLLED_BACK;
      case ABORT -> Reasons.CANARY_ABORTED;
      case PROMOTE -> Reasons.CANARY_PROMOTED;
      case ADVANCE -> Reasons.CANARY_STEP;
      case NONE -> d.state().phase() == Phase.PAUSED ? Reasons.CANARY_PAUSED : Reasons.CANARY_ANALYSIS;
    };
  }

  public static String revisionOf(Deployment d) {
    Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
    return labels == null ? null : labels.get(Labels.REVISION);
  }

  private static boolean annotated(ModelDeployment md, String annotation) {
    Map<String, String> annotations = md.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(annotation)
        && !"false".equalsIgnoreCase(annotations.get(annotation));
  }

  private static int replicas(Deployment d) {
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  private static int ready(Deployment d) {
    return d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
  }

  private static int updated(Deployment d) {
    return d.getStatus() == null || d.getStatus().getUpdatedReplicas() == null ? 0
        : d.getStatus().getUpdatedReplicas();
  }

  private static boolean observed(Deployment d) {
    Long generation = d.getMetadata().getGeneration();
    Long seen = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
    return generation == null || seen != null && seen >= generation;
  }

  /** The stable track runs its template's revision on {@code total} ready, updated pods. */
  private static boolean rolledOut(Deployment stable, int total) {
    return observed(stable) && updated(stable) >= total && ready(stable) >= total;
  }
}
