package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.modelpilot.operator.api.v1alpha1.AutoscalingStatus;
import io.modelpilot.operator.api.v1alpha1.Durations;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.autoscaling.ModelDeploymentAutoscaler;
import io.modelpilot.operator.metrics.PrometheusClients;
import io.modelpilot.operator.monitoring.ServiceMonitorDependent;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus;
import io.modelpilot.operator.config.OperatorSettings;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.operator.status.EventRecorder;
import io.modelpilot.operator.status.Reasons;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * ModelDeployment → runtime Deployment + Service, and a status that says how the rollout goes.
 * The workflow is invoked explicitly: while a referenced Secret or PVC is missing, nothing is
 * created or changed (an existing Deployment keeps serving), and the status says what is missing.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "service", type = RuntimeServiceDependent.class),
    @Dependent(name = "deployment", type = RuntimeDeploymentDependent.class),
    @Dependent(name = "canary", type = CanaryDeploymentDependent.class,
        reconcilePrecondition = CanaryDeploymentDependent.Wanted.class),
    @Dependent(name = "servicemonitor", type = ServiceMonitorDependent.class,
        activationCondition = ServiceMonitorDependent.Installed.class)})
@ControllerConfiguration(name = ModelDeploymentReconciler.NAME)
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {

  public static final String NAME = "modeldeployment";
  private static final Logger LOG = Logger.getLogger(ModelDeploymentReconciler.class);

  private final OperatorSettings settings;
  private final References references;
  private final EventRecorder events;

  private final ModelDeploymentAutoscaler autoscaler;
  private final CanaryRollout canaries;
  private final KubernetesClient client;

  public ModelDeploymentReconciler(OperatorSettings settings, KubernetesClient client) {
    this.settings = settings;
    this.references = new References(client);
    this.events = new EventRecorder(client);
    PrometheusClients prometheus = new PrometheusClients();
    this.autoscaler = new ModelDeploymentAutoscaler(prometheus::forUrl, settings.prometheusUrl());
    this.canaries = new CanaryRollout(prometheus::forUrl, settings.prometheusUrl());
    this.client = client;
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(ModelDeployment md, Context<ModelDeployment> context) {
    Instant now = Instant.now();
    List<ReferenceProblem> problems = references.check(md);
    Deployment stable = deployment(context, md, RuntimeDeploymentFactory.TRACK_STABLE);
    Deployment canary = deployment(context, md, RuntimeDeploymentFactory.TRACK_CANARY);
    boolean canaryOn = canaryOn(md, stable);
    ModelDeploymentAutoscaler.Outcome scaling = scale(md, stable, canary, canaryOn, now);
    int total = scaling != null ? scaling.desiredReplicas() : md.getSpec().replicasOrDefault();
    String specRevision = RuntimeDeploymentFactory.revisionOf(
        new RuntimeDeploymentFactory(settings.runtimeImage()).podTemplate(md));

    CanaryRollout.Plan plan = problems.isEmpty() ? canaries.plan(md, stable, canary, total, specRevision, now) : null;
    if (plan != null) {
      var shared = context.managedWorkflowAndDependentResourceContext();
      if (scaling != null || plan.stableReplicas() != total) {
        shared.put(RuntimeDeploymentDependent.DESIRED_REPLICAS, plan.stableReplicas());
      }
      if (plan.stableTemplate() != null) {
        shared.put(RuntimeDeploymentDependent.STABLE_TEMPLATE, plan.stableTemplate());
      }
      shared.put(CanaryDeploymentDependent.CANARY_REPLICAS, plan.canaryReplicas());
      shared.reconcileManagedWorkflow();
      for (CanaryRollout.Event e : plan.events()) {
        LOG.infof("%s: %s", e.reason(), e.message());
        if (e.warning()) {
          events.warning(md, e.reason(), e.message());
        } else {
          events.normal(md, e.reason(), e.message());
        }
      }
      clearHandledAnnotations(md, plan.status());
    }
    Deployment stableNow = deployment(context, md, RuntimeDeploymentFactory.TRACK_STABLE);
    Deployment canaryNow = deployment(context, md, RuntimeDeploymentFactory.TRACK_CANARY);
    String revision = plan != null ? plan.stableRevision() : stable != null ? CanaryRollout.revisionOf(stable)
        : specRevision;
    int stableReplicas = plan != null ? plan.stableReplicas() : total;
    ModelDeploymentStatus status = StatusCalculator.compute(md, stableNow, problems, revision, endpoint(md),
        stableReplicas, now);
    withCanary(md, status, plan, canaryNow, total, now);
    withAutoscaling(md, status, scaling, now);

    announce(md, md.getStatus(), status, problems);
    UpdateControl<ModelDeployment> control = Objects.equals(md.getStatus(), status)
        ? UpdateControl.noUpdate()
        : UpdateControl.patchStatus(forStatusPatch(md, status));
    if (!problems.isEmpty()) {
      return control.rescheduleAfter(settings.referenceRecheckInterval());
    }
    Duration next = scaling != null ? scaling.nextEvaluationIn() : null;
    if (plan != null && plan.recheckIn() != null) {
      next = next == null || plan.recheckIn().compareTo(next) < 0 ? plan.recheckIn() : next;
    }
    return next != null ? control.rescheduleAfter(next) : control;
  }

  private static int readyReplicas(Deployment d) {
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
        : d.getStatus().getReadyReplicas();
  }

  /** The Deployment of a track, among the secondaries (each track has its own informer). */
  private static Deployment deployment(Context<ModelDeployment> context, ModelDeployment md, String track) {
    String name = RuntimeDeploymentFactory.deploymentName(md, track);
    return context.getSecondaryResources(Deployment.class).stream()
        .filter(d -> name.equals(d.getMetadata().getName())).findFirst().orElse(null);
  }

  /** A canary is (or is about to be) under analysis: spec.rollout is set and the spec differs from stable. */
  private static boolean canaryOn(ModelDeployment md, Deployment stable) {
    if (md.getSpec().getRollout() == null || stable == null || md.getStatus() == null
        || md.getStatus().getCanary() == null) {
      return false;
    }
    var canary = md.getStatus().getCanary();
    return CanaryRollout.underWay(canary) && !canary.getRevision().equals(CanaryRollout.revisionOf(stable));
  }

  /** Status for the two tracks: totals over both, Progressing and Degraded from the canary. */
  private static void withCanary(ModelDeployment md, ModelDeploymentStatus status, CanaryRollout.Plan plan,
      Deployment canary, int total, Instant now) {
    if (plan == null) {
      if (md.getStatus() != null) {
        status.setCanary(md.getStatus().getCanary());
      }
      return;
    }
    status.setCanary(plan.status());
    if (plan.canaryReplicas() == 0 && plan.failure() == null) {
      return;
    }
    long generation = md.getMetadata().getGeneration() == null ? 0 : md.getMetadata().getGeneration();
    int canaryReady = canary == null || canary.getStatus() == null || canary.getStatus().getReadyReplicas() == null
        ? 0 : canary.getStatus().getReadyReplicas();
    int ready = (status.getReadyReplicas() == null ? 0 : status.getReadyReplicas()) + canaryReady;
    int desired = plan.stableReplicas() + plan.canaryReplicas();
    status.setReplicas(desired);
    status.setReadyReplicas(ready);
    status.setReplicaSummary(ready + "/" + desired);
    var conditions = status.getConditions();
    if (plan.failure() != null) {
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.DEGRADED, true, Reasons.CANARY_FAILED,
          plan.failure() + "; stable revision " + plan.stableRevision() + " serves", generation, now));
    } else if (plan.status() != null) {
      var c = plan.status();
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.PROGRESSING, true, Reasons.CANARY,
          "canary of revision %s: %s, step %d at %d%%: %s%s".formatted(c.getRevision(), c.getPhase(), c.getStep() + 1,
              c.getWeight(), c.getMessage(), plan.holdScaleDown() && md.getSpec().getAutoscaling() != null
                  ? "; the autoscaler does not scale down while the canary is analysed" : ""),
          generation, now));
    }
    status.setConditions(conditions);
  }

  /** The promote and abort annotations are one-shot: once the canary they acted on is over, they go. */
  private void clearHandledAnnotations(ModelDeployment md, io.modelpilot.operator.api.v1alpha1.CanaryStatus canary) {
    Map<String, String> annotations = md.getMetadata().getAnnotations();
    if (annotations == null) {
      return;
    }
    boolean over = !CanaryRollout.underWay(canary);
    for (String one : List.of(CanaryRollout.ANNOTATION_PROMOTE, CanaryRollout.ANNOTATION_ABORT)) {
      if (over && annotations.containsKey(one)) {
        try {
          // on the resource in hand: a patch by name alone would first GET it
          client.resources(ModelDeployment.class).inNamespace(md.getMetadata().getNamespace())
              .resource(md).patch(PatchContext.of(PatchType.JSON),
                  "[{\"op\":\"remove\",\"path\":\"/metadata/annotations/" + one.replace("/", "~1") + "\"}]");
          LOG.infof("removed the handled annotation %s", one);
        } catch (RuntimeException e) {
          LOG.warnf("cannot remove the annotation %s: %s", one, e.getMessage());
        }
      }
    }
  }

  /**
   * The autoscaler's outcome, or null without spec.autoscaling. Evaluates only when an interval is due. While a
   * canary is analysed, the total may grow but not shrink: the floor is the count it had.
   */
  private ModelDeploymentAutoscaler.Outcome scale(ModelDeployment md, Deployment stable, Deployment canary,
      boolean canaryOn, Instant now) {
    if (md.getSpec().getAutoscaling() == null) {
      autoscaler.forget(md);
      return null;
    }
    Integer previousTotal = md.getStatus() == null || md.getStatus().getAutoscaling() == null ? null
        : md.getStatus().getAutoscaling().getDesiredReplicas();
    Integer replicas = canaryOn && previousTotal != null ? previousTotal
        : stable == null ? null : stable.getSpec().getReplicas();
    int ready = readyReplicas(stable);
    if (canaryOn) {
      // both tracks serve the load the metrics measure: count the canary's ready pods too
      ready = Math.min(ready + readyReplicas(canary), replicas == null ? ready : replicas);
    }
    ModelDeploymentAutoscaler.Outcome outcome = autoscaler.evaluate(md, replicas, ready, now,
        canaryOn && replicas != null ? replicas : 0);
    if (outcome.evaluated()) {
      if (outcome.decision().scaled()) {
        LOG.info(outcome.decision().reason());
        events.normal(md, Reasons.SCALED, outcome.decision().reason());
      } else {
        LOG.debug(outcome.decision().reason());
      }
    }
    return outcome;
  }

  private void withAutoscaling(ModelDeployment md, ModelDeploymentStatus status,
      ModelDeploymentAutoscaler.Outcome scaling, Instant now) {
    if (scaling == null) {
      status.setConditions(Conditions.remove(status.getConditions(), Conditions.SCALING_ACTIVE));
      return;
    }
    AutoscalingStatus previous = md.getStatus() == null ? null : md.getStatus().getAutoscaling();
    status.setAutoscaling(ModelDeploymentAutoscaler.status(scaling, previous));
    long generation = md.getMetadata().getGeneration() == null ? 0 : md.getMetadata().getGeneration();
    boolean unavailable = scaling.decision().metricsUnavailable();
    boolean wasUnavailable = Conditions.find(status.getConditions(), Conditions.SCALING_ACTIVE)
        .map(c -> Reasons.METRICS_UNAVAILABLE.equals(c.getReason())).orElse(false);
    boolean wasValid = Conditions.find(status.getConditions(), Conditions.SCALING_ACTIVE)
        .map(c -> Reasons.VALID_METRICS.equals(c.getReason())).orElse(false);
    // before the first valid metrics, a fresh pod has no series until Prometheus scraped it over a rate window:
    // expected, not a Warning; metrics that were there and went missing are an outage at once
    boolean warmingUp = unavailable && !wasUnavailable && !wasValid && warmingUp(md, status, now);
    String message = unavailable
        ? "holding replicas: " + scaling.decision().reason()
        : "metrics available; " + scaling.decision().reason();
    String reason = !unavailable ? Reasons.VALID_METRICS
        : warmingUp ? Reasons.AWAITING_METRICS : Reasons.METRICS_UNAVAILABLE;
    status.setConditions(Conditions.upsert(status.getConditions(), Conditions.of(Conditions.SCALING_ACTIVE,
        !unavailable, reason, unavailable ? message : "the autoscaler has the metrics it needs", generation, now)));
    if (unavailable && !warmingUp && !wasUnavailable) {
      events.warning(md, Reasons.METRICS_UNAVAILABLE, message);
    }
  }

  /** No pod ready yet, or the first became ready less than one metrics window (at least 30 s) ago. */
  private static boolean warmingUp(ModelDeployment md, ModelDeploymentStatus status, Instant now) {
    if (status.getReadyReplicas() == null || status.getReadyReplicas() == 0) {
      return true;
    }
    String window = md.getSpec().getAutoscaling().getWindow();
    Duration grace = Durations.parse(window == null ? ModelDeploymentAutoscaler.DEFAULT_WINDOW : window);
    if (grace.compareTo(Duration.ofSeconds(30)) < 0) {
      grace = Duration.ofSeconds(30);
    }
    Duration warmUp = grace;
    // the Ready condition here is this reconcile's: True since the first pod became ready
    return Conditions.find(status.getConditions(), Conditions.READY)
        .filter(c -> "True".equals(c.getStatus()) && c.getLastTransitionTime() != null)
        .map(c -> Instant.parse(c.getLastTransitionTime()).plus(warmUp).isAfter(now))
        .orElse(true);
  }

  @Override
  public ErrorStatusUpdateControl<ModelDeployment> updateErrorStatus(ModelDeployment md,
      Context<ModelDeployment> context, Exception e) {
    String message = "reconcile failed: " + e.getMessage();
    LOG.warn(message, e);
    ModelDeploymentStatus status = md.getStatus() == null ? new ModelDeploymentStatus() : md.getStatus();
    long generation = md.getMetadata().getGeneration() == null ? 0 : md.getMetadata().getGeneration();
    boolean wasFailing = Conditions.find(status.getConditions(), Conditions.READY)
        .map(c -> Reasons.RECONCILE_ERROR.equals(c.getReason())).orElse(false);
    status.setConditions(Conditions.upsert(status.getConditions(),
        Conditions.of(Conditions.READY, false, Reasons.RECONCILE_ERROR, message, generation, Instant.now())));
    if (!wasFailing) {
      events.warning(md, Reasons.RECONCILE_ERROR, message);
    }
    return ErrorStatusUpdateControl.patchStatus(forStatusPatch(md, status));
  }

  /** Events for transitions only, so a steady state writes nothing. */
  private void announce(ModelDeployment md, ModelDeploymentStatus before, ModelDeploymentStatus after,
      List<ReferenceProblem> problems) {
    var readyBefore = before == null ? null : Conditions.find(before.getConditions(), Conditions.READY).orElse(null);
    var readyAfter = Conditions.find(after.getConditions(), Conditions.READY).orElseThrow();
    boolean changed = readyBefore == null || !Objects.equals(readyBefore.getStatus(), readyAfter.getStatus())
        || !Objects.equals(readyBefore.getReason(), readyAfter.getReason());
    String revisionBefore = before == null ? null : before.getRevision();
    if (revisionBefore != null && !revisionBefore.equals(after.getRevision()) && problems.isEmpty()) {
      LOG.infof("rolling out revision %s (was %s)", after.getRevision(), revisionBefore);
      events.normal(md, Reasons.REVISION_CHANGED,
          "rolling out revision %s (was %s)".formatted(after.getRevision(), revisionBefore));
    }
    if (!changed) {
      return;
    }
    LOG.infof("Ready=%s (%s): %s", readyAfter.getStatus(), readyAfter.getReason(), readyAfter.getMessage());
    boolean problem = !problems.isEmpty() || Reasons.PROGRESS_DEADLINE_EXCEEDED.equals(readyAfter.getReason());
    if (problem) {
      events.warning(md, readyAfter.getReason(), readyAfter.getMessage());
    } else {
      events.normal(md, readyAfter.getReason(), readyAfter.getMessage());
    }
  }

  private String endpoint(ModelDeployment md) {
    String name = md.getMetadata().getName();
    return "http://%s.%s.svc.%s:%d/v2/models/%s".formatted(name, md.getMetadata().getNamespace(),
        settings.clusterDomain(), RuntimeDeploymentFactory.PORT, name);
  }

  /** Only name, namespace and status: the server-side apply intent of a status patch. */
  private static ModelDeployment forStatusPatch(ModelDeployment md, ModelDeploymentStatus status) {
    ModelDeployment patch = new ModelDeployment();
    patch.setMetadata(new ObjectMetaBuilder().withName(md.getMetadata().getName())
        .withNamespace(md.getMetadata().getNamespace()).build());
    patch.setStatus(status);
    return patch;
  }
}
