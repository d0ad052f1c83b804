package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.modelpilot.contract.Durations;
import io.modelpilot.operator.api.v1alpha1.AnalysisSpec;
import io.modelpilot.operator.api.v1alpha1.AutoscalingSpec;
import io.modelpilot.operator.api.v1alpha1.AutoscalingStatus;
import io.modelpilot.operator.api.v1alpha1.CanaryStatus;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.autoscaling.ModelDeploymentAutoscaler;
import io.modelpilot.operator.autoscaling.core.MetricProposal;
import io.modelpilot.operator.autoscaling.core.ScalingDecision;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.common.Numbers;
import io.modelpilot.operator.metrics.MetricsWindows;
import io.modelpilot.operator.rollout.CanaryRollout;
import io.modelpilot.operator.rollout.RolloutPlan;
import io.modelpilot.operator.rollout.Tracks;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.operator.status.Reasons;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The status a ModelDeployment should have, from what the cluster reports and what the autoscaler and the
 * rollout decided: the one place status is assembled. Pure.
 */
public final class StatusCalculator {

  private StatusCalculator() {
  }

  /**
   * @param deployment the runtime Deployment as last seen, or null when it does not exist yet
   * @param problems references the cluster lacks (reported instead of rolling out)
   * @param revision the revision the spec asks for
   */
  public static ModelDeploymentStatus compute(ModelDeployment md, Deployment deployment, List<ReferenceProblem> problems,
      String revision, String endpoint, Instant now) {
    return compute(md, deployment, problems, revision, endpoint, md.getSpec().replicasOrDefault(), now);
  }

  /** @param desired replicas wanted now: spec.replicas, or the autoscaler's decision */
  public static ModelDeploymentStatus compute(ModelDeployment md, Deployment deployment, List<ReferenceProblem> problems,
      String revision, String endpoint, int desired, Instant now) {
    long generation = md.getMetadata().getGeneration() == null ? 0 : md.getMetadata().getGeneration();
    ModelDeploymentStatus previous = md.getStatus() == null ? new ModelDeploymentStatus() : md.getStatus();
    int ready = readyReplicas(deployment);
    boolean deploymentCurrent = deployment != null && deploymentObservedItsSpec(deployment)
        && revision.equals(labelRevision(deployment));
    boolean rolledOut = deploymentCurrent && updatedReplicas(deployment) >= desired
        && replicas(deployment) == desired && ready >= desired;
    DeploymentCondition deadline = deployment == null ? null : progressDeadlineExceeded(deployment);

    var conditions = previous.getConditions();
    if (!problems.isEmpty()) {
      ReferenceProblem first = problems.get(0);
      String message = String.join("; ", problems.stream().map(ReferenceProblem::message).toList());
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, false, first.reason(), message,
          generation, now));
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.PROGRESSING, false, first.reason(),
          "waiting for the missing reference before rolling out", generation, now));
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.DEGRADED, true, first.reason(), message,
          generation, now));
    } else if (deadline != null) {
      String message = "the runtime Deployment exceeded its progress deadline: "
          + Objects.requireNonNullElse(deadline.getMessage(), "pods did not become ready");
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, ready > 0 && ready >= desired,
          Reasons.PROGRESS_DEADLINE_EXCEEDED, message, generation, now));
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.PROGRESSING, false,
          Reasons.PROGRESS_DEADLINE_EXCEEDED, message, generation, now));
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.DEGRADED, true,
          Reasons.PROGRESS_DEADLINE_EXCEEDED, message, generation, now));
    } else {
      if (desired == 0) {
        conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, false, Reasons.NO_REPLICAS,
            "0 replicas wanted: no pod serves the model", generation, now));
      } else if (ready >= desired) {
        conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, true, Reasons.AVAILABLE,
            "%d/%d replicas ready%s".formatted(ready, desired,
                rolledOut ? "" : "; rolling out revision " + revision), generation, now));
      } else if (ready > 0 && Conditions.isTrue(previous.getConditions(), Conditions.READY)) {
        // once serving, a pod short (scaling up, a pod restarting) still serves: Ready stays True rather than
        // flapping on every scale-up; only the last ready pod going away makes it False
        conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, true, Reasons.AVAILABLE,
            "%d/%d replicas ready; %s".formatted(ready, desired, deploymentCurrent ? "scaling up" : "rolling out"),
            generation, now));
      } else {
        conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, false, Reasons.DEPLOYING,
            "%d/%d replicas ready".formatted(ready, desired), generation, now));
      }
      conditions = Conditions.upsert(conditions, rolledOut || desired == 0 && deploymentCurrent
          ? Conditions.of(Conditions.PROGRESSING, false, Reasons.ROLLOUT_COMPLETE,
              "revision " + revision + " is rolled out", generation, now)
          : Conditions.of(Conditions.PROGRESSING, true, Reasons.ROLLING_OUT,
              "rolling out revision " + revision, generation, now));
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.DEGRADED, false, Reasons.AS_EXPECTED,
          "no problem found", generation, now));
    }

    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.setObservedGeneration(generation);
    status.setConditions(conditions);
    status.setReplicas(desired);
    status.setReadyReplicas(ready);
    status.setReplicaSummary(ready + "/" + desired);
    status.setRevision(revision);
    status.setEndpoint(endpoint);
    return status;
  }

  /**
   * The whole status after a reconcile.
   *
   * @param seen the Deployments after the workflow ran, the missing references and the spec's revision
   * @param plan the rollout's plan; null while a reference is missing (nothing was rolled out)
   * @param scaling the autoscaler's outcome; null without spec.autoscaling
   */
  public static ModelDeploymentStatus compose(ModelDeployment md, Observed seen, RolloutPlan plan,
      ModelDeploymentAutoscaler.Outcome scaling, MetricsWindows windows, String endpoint, Instant now) {
    int total = scaling != null ? scaling.desiredReplicas() : md.getSpec().replicasOrDefault();
    String revision = plan != null ? plan.stableRevision()
        : seen.stable() != null ? CanaryRollout.revisionOf(seen.stable()) : seen.specRevision();
    int stableReplicas = plan != null ? plan.tracks().stableReplicas() : total;
    ModelDeploymentStatus status = compute(md, seen.stable(), seen.problems(), revision, endpoint, stableReplicas,
        now);
    withCanary(md, status, plan, seen.canary(), now);
    withAutoscaling(md, status, scaling, windows, now);
    withMetricsWindows(md, status, windows, now);
    return status;
  }

  /**
   * MetricsWindowAdjusted=True (reason WindowBelowScrapeInterval) while a window of the spec is shorter than
   * {@value MetricsWindows#SCRAPES_PER_WINDOW} scrape intervals and the operator queries a longer one; absent
   * otherwise. The spec is left as written: raising it there would fight the GitOps repository that owns it.
   */
  static void withMetricsWindows(ModelDeployment md, ModelDeploymentStatus status, MetricsWindows windows,
      Instant now) {
    List<String> raised = new ArrayList<>();
    if (md.getSpec().getRollout() != null) {
      AnalysisSpec analysis = md.getSpec().getRollout().getAnalysis();
      String asked = analysis == null ? new AnalysisSpec().intervalOrDefault() : analysis.intervalOrDefault();
      if (windows.raises(Durations.parse(asked))) {
        raised.add("spec.rollout.analysis.interval %s: canary analyses run every %s over the last %s".formatted(
            asked, Numbers.duration(windows.minimum()), Numbers.duration(windows.minimum())));
      }
    }
    if (md.getSpec().getAutoscaling() != null) {
      AutoscalingSpec autoscaling = md.getSpec().getAutoscaling();
      if (windows.raises(Durations.parse(autoscaling.windowOrDefault()))) {
        raised.add("spec.autoscaling.window %s: rates and quantiles are read over %s".formatted(
            autoscaling.windowOrDefault(), Numbers.duration(windows.minimum())));
      }
    }
    if (raised.isEmpty()) {
      status.setConditions(Conditions.remove(status.getConditions(), Conditions.METRICS_WINDOW_ADJUSTED));
      return;
    }
    status.setConditions(Conditions.upsert(status.getConditions(), Conditions.of(Conditions.METRICS_WINDOW_ADJUSTED,
        true, Reasons.WINDOW_BELOW_SCRAPE_INTERVAL, "shorter than %d scrape intervals of %s (a shorter window often "
            .formatted(MetricsWindows.SCRAPES_PER_WINDOW, Numbers.duration(windows.scrapeInterval()))
            + "holds too few samples to read): " + String.join("; ", raised), generation(md), now)));
  }

  /**
   * TrafficRouting, only with spec.rollout.traffic.gatewayAPI: True (HTTPRouteManaged) with the route's weights while
   * the operator's HTTPRoute splits the requests; False (GatewayAPIUnavailable) saying why not where the cluster
   * serves no HTTPRoute. Left as it was while a missing reference holds the reconcile (no plan, nothing checked).
   *
   * @param gateway what the reconcile found about Gateway API; null when it did not look
   * @param route the route as last seen, with what the Gateway controllers said of it; null when none yet
   */
  public static void withTrafficRouting(ModelDeployment md, ModelDeploymentStatus status, RolloutPlan plan,
      GatewayApi.Check gateway, HTTPRoute route, Instant now) {
    if (!HttpRouteDependent.wanted(md)) {
      status.setConditions(Conditions.remove(status.getConditions(), Conditions.TRAFFIC_ROUTING));
      return;
    }
    if (plan == null || gateway == null) {
      return;
    }
    String name = md.getMetadata().getName();
    var refusal = plan.traffic().routed() ? HttpRouteDependent.refusal(route) : java.util.Optional.<String>empty();
    var condition = refusal.isPresent()
        ? Conditions.of(Conditions.TRAFFIC_ROUTING, false, Reasons.HTTP_ROUTE_NOT_ACCEPTED,
            "HTTPRoute %s is not in use: %s (spec.rollout.traffic.gatewayAPI.parentRefs)".formatted(name,
                refusal.get()), generation(md), now)
        : plan.traffic().routed()
        ? Conditions.of(Conditions.TRAFFIC_ROUTING, true, Reasons.HTTP_ROUTE_MANAGED,
            "HTTPRoute %s sends %d%% of the requests to Service %s and %d%% to Service %s".formatted(name,
                plan.traffic().stableWeight(), TrackServiceDependent.name(md, Labels.TRACK_STABLE),
                plan.traffic().canaryWeight(), TrackServiceDependent.name(md, Labels.TRACK_CANARY)),
            generation(md), now)
        : Conditions.of(Conditions.TRAFFIC_ROUTING, false, Reasons.GATEWAY_API_UNAVAILABLE,
            ("spec.rollout.traffic.gatewayAPI: the cluster serves no gateway.networking.k8s.io/v1 HTTPRoute (%s), "
                + "so no route is made; a canary's share of the requests follows its share of the pods behind "
                + "Service %s").formatted(gateway.detail(), name),
            generation(md), now);
    status.setConditions(Conditions.upsert(status.getConditions(), condition));
  }

  /** Totals over both tracks; Progressing and Degraded from the canary. */
  private static void withCanary(ModelDeployment md, ModelDeploymentStatus status, RolloutPlan plan,
      Deployment canary, Instant now) {
    if (plan == null) {
      if (md.getStatus() != null) {
        status.setCanary(md.getStatus().getCanary());
      }
      return;
    }
    status.setCanary(plan.canary());
    Tracks tracks = plan.tracks();
    if (tracks.canaryReplicas() == 0 && plan.failure() == null) {
      return;
    }
    long generation = generation(md);
    int ready = (status.getReadyReplicas() == null ? 0 : status.getReadyReplicas()) + readyReplicas(canary);
    int desired = tracks.stableReplicas() + tracks.canaryReplicas();
    status.setReplicas(desired);
    status.setReadyReplicas(ready);
    status.setReplicaSummary(ready + "/" + desired);
    var conditions = status.getConditions();
    if (plan.failure() != null) {
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.DEGRADED, true, Reasons.CANARY_FAILED,
          plan.failure() + "; stable revision " + plan.stableRevision() + " serves", generation, now));
    } else if (plan.canary() != null) {
      CanaryStatus c = plan.canary();
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.PROGRESSING, true, Reasons.CANARY,
          "canary of revision %s: %s, step %d at %d%%: %s%s".formatted(c.getRevision(), phaseText(c), c.getStep() + 1,
              c.getWeight(), c.getMessage(), plan.holdScaleDown() && md.getSpec().getAutoscaling() != null
                  ? "; the autoscaler does not scale down while the canary is analysed" : ""),
          generation, now));
    }
    status.setConditions(conditions);
  }

  private static String phaseText(CanaryStatus c) {
    return c.getPhase() == null ? null : c.getPhase().text();
  }

  /** status.autoscaling and the ScalingActive condition. */
  private static void withAutoscaling(ModelDeployment md, ModelDeploymentStatus status,
      ModelDeploymentAutoscaler.Outcome scaling, MetricsWindows windows, Instant now) {
    if (scaling == null) {
      status.setConditions(Conditions.remove(status.getConditions(), Conditions.SCALING_ACTIVE));
      return;
    }
    AutoscalingStatus previous = md.getStatus() == null ? null : md.getStatus().getAutoscaling();
    status.setAutoscaling(autoscalingStatus(scaling, previous));
    boolean unavailable = scaling.decision().metricsUnavailable();
    var before = Conditions.find(status.getConditions(), Conditions.SCALING_ACTIVE).map(c -> c.getReason());
    boolean wasUnavailable = before.map(Reasons.METRICS_UNAVAILABLE::equals).orElse(false);
    boolean wasValid = before.map(Reasons.VALID_METRICS::equals).orElse(false);
    // before the first valid metrics, a fresh pod has no series until Prometheus scraped it over a rate window:
    // expected, not a Warning; metrics that were there and went missing are an outage at once
    boolean warmingUp = unavailable && !wasUnavailable && !wasValid && warmingUp(md, status, windows, now);
    String reason = !unavailable ? Reasons.VALID_METRICS
        : warmingUp ? Reasons.AWAITING_METRICS : Reasons.METRICS_UNAVAILABLE;
    String message = unavailable ? "holding replicas: " + scaling.decision().reason()
        : "the autoscaler has the metrics it needs";
    status.setConditions(Conditions.upsert(status.getConditions(), Conditions.of(Conditions.SCALING_ACTIVE,
        !unavailable, reason, message, generation(md), now)));
  }

  /** No pod ready yet, or the first became ready less than one metrics window (at least 30 s) ago. */
  private static boolean warmingUp(ModelDeployment md, ModelDeploymentStatus status, MetricsWindows windows,
      Instant now) {
    if (status.getReadyReplicas() == null || status.getReadyReplicas() == 0) {
      return true;
    }
    Duration window = ModelDeploymentAutoscaler.window(md.getSpec().getAutoscaling(), windows);
    Duration warmUp = window.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : window;
    // the Ready condition here is this reconcile's: True since the first pod became ready
    return Conditions.find(status.getConditions(), Conditions.READY)
        .filter(c -> "True".equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(c -> Instant.parse(c.getLastTransitionTime()).plus(warmUp).isAfter(now))
        .orElse(true);
  }

  /** The status block for an outcome; lastScaleTime carries over until the count changes. */
  static AutoscalingStatus autoscalingStatus(ModelDeploymentAutoscaler.Outcome outcome, AutoscalingStatus previous) {
    AutoscalingStatus status = new AutoscalingStatus();
    status.setDesiredReplicas(outcome.desiredReplicas());
    ScalingDecision d = outcome.decision();
    status.setLastDecision(d.reason());
    String lastScale = previous == null ? null : previous.getLastScaleTime();
    if (outcome.evaluated() && d.scaled()) {
      lastScale = outcome.evaluatedAt().truncatedTo(ChronoUnit.SECONDS).toString();
    }
    status.setLastScaleTime(lastScale);
    status.setLastEvaluationTime(outcome.evaluatedAt().truncatedTo(ChronoUnit.MILLIS).toString());
    status.setHistory(ModelDeploymentAutoscaler.historyStatus(d.history()));
    List<AutoscalingStatus.MetricStatus> metrics = new ArrayList<>();
    for (MetricProposal p : d.metrics()) {
      AutoscalingStatus.MetricStatus m = new AutoscalingStatus.MetricStatus();
      m.setName(p.name());
      m.setCurrent(p.current() == null ? null : Math.round(p.current() * 1000) / 1000.0);
      m.setTarget(p.target());
      m.setProposal(p.replicas());
      if (p.verdict() == MetricProposal.Verdict.UNAVAILABLE) {
        m.setUnavailable(p.summary());
      }
      metrics.add(m);
    }
    status.setMetrics(metrics);
    return status;
  }

  private static long generation(ModelDeployment md) {
    return md.getMetadata().getGeneration() == null ? 0 : md.getMetadata().getGeneration();
  }

  private static boolean deploymentObservedItsSpec(Deployment deployment) {
    Long generation = deployment.getMetadata().getGeneration();
    Long observed = deployment.getStatus() == null ? null : deployment.getStatus().getObservedGeneration();
    return generation == null || observed != null && observed >= generation;
  }

  private static String labelRevision(Deployment deployment) {
    return CanaryRollout.revisionOf(deployment);
  }

  private static DeploymentCondition progressDeadlineExceeded(Deployment deployment) {
    if (deployment.getStatus() == null || deployment.getStatus().getConditions() == null) {
      return null;
    }
    return deployment.getStatus().getConditions().stream()
        .filter(c -> "Progressing".equals(c.getType()) && "False".equals(c.getStatus())
            && Reasons.PROGRESS_DEADLINE_EXCEEDED.equals(c.getReason()))
        .findFirst().orElse(null);
  }

  private static int readyReplicas(Deployment d) {
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
        : d.getStatus().getReadyReplicas();
  }

  private static int updatedReplicas(Deployment d) {
    return d.getStatus() == null || d.getStatus().getUpdatedReplicas() == null ? 0 : d.getStatus().getUpdatedReplicas();
  }

  private static int replicas(Deployment d) {
    return d.getStatus() == null || d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas();
  }
}
