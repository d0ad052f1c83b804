package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.modelpilot.contract.RuntimeContract.Http;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus;
import io.modelpilot.operator.autoscaling.ModelDeploymentAutoscaler;
import io.modelpilot.operator.config.OperatorSettings;
import io.modelpilot.operator.metrics.MetricsWindows;
import io.modelpilot.operator.metrics.PrometheusClients;
import io.modelpilot.operator.rollout.CanaryRollout;
import io.modelpilot.operator.rollout.RolloutPlan;
import io.modelpilot.operator.status.Announcement;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.operator.status.EventRecorder;
import io.modelpilot.operator.status.Reasons;
import io.modelpilot.operator.status.StatusPatch;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * ModelDeployment → runtime Deployments (stable and canary) + Service (+ ServiceMonitor, + PodDisruptionBudget)
 * (+ track Services and an HTTPRoute with spec.rollout.traffic.gatewayAPI), and a status that says how the rollout
 * goes. The workflow is invoked explicitly: while a referenced PVC is missing, nothing is created or changed (an
 * existing Deployment keeps serving), and the status says what is missing.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "service", type = RuntimeServiceDependent.class),
    @Dependent(name = "deployment", type = RuntimeDeploymentDependent.class),
    @Dependent(name = "canary", type = CanaryDeploymentDependent.class,
        reconcilePrecondition = CanaryDeploymentDependent.Wanted.class),
    @Dependent(name = "servicemonitor", type = ServiceMonitorDependent.class,
        activationCondition = ServiceMonitorDependent.Installed.class),
    // a reconcile precondition, not an activation condition: JOSDK deletes what a precondition no longer wants,
    // while an inactive dependent's object would stay behind
    @Dependent(name = "poddisruptionbudget", type = PodDisruptionBudgetDependent.class,
        reconcilePrecondition = PodDisruptionBudgetDependent.Wanted.class),
    @Dependent(name = "stable-service", type = TrackServiceDependent.Stable.class,
        reconcilePrecondition = TrackServiceDependent.Routed.class),
    @Dependent(name = "canary-service", type = TrackServiceDependent.Canary.class,
        reconcilePrecondition = TrackServiceDependent.Routed.class),
    @Dependent(name = "httproute", type = HttpRouteDependent.class, dependsOn = {"stable-service", "canary-service"},
        activationCondition = HttpRouteDependent.Served.class,
        reconcilePrecondition = TrackServiceDependent.Routed.class)})
@ControllerConfiguration(name = ModelDeploymentReconciler.NAME)
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {

  public static final String NAME = "modeldeployment";
  private static final Logger LOG = Logger.getLogger(ModelDeploymentReconciler.class);
  private static final Duration MODEL_LOAD_RECHECK = Duration.ofSeconds(10);

  private final OperatorSettings settings;
  private final References references;
  private final EventRecorder events;
  private final ModelDeploymentAutoscaler autoscaler;
  private final CanaryRollout canaries;
  private final MetricsWindows windows;
  private final KubernetesClient client;
  private final FeedbackKeys feedbackKeys;
  private final GatewayApi gatewayApi;

  public ModelDeploymentReconciler(OperatorSettings settings, KubernetesClient client) {
    this.settings = settings;
    // operator-wide settings no reconcile can fix: a bad one stops the start with a message naming its variable
    PodDefaults.of(settings.runtimePod());
    PodDisruptionBudgetDependent.maxUnavailable(settings.podDisruptionBudget().maxUnavailable());
    this.references = new References(client);
    this.events = new EventRecorder(client);
    PrometheusClients prometheus = new PrometheusClients();
    this.windows = new MetricsWindows(settings.prometheusScrapeInterval());
    boolean otherNamespaces = settings.promqlAllowOtherNamespaces();
    this.autoscaler = new ModelDeploymentAutoscaler(prometheus::forUrl, settings.prometheusUrl(), windows,
        otherNamespaces);
    this.canaries = new CanaryRollout(prometheus::forUrl, settings.prometheusUrl(), windows, otherNamespaces);
    this.client = client;
    this.feedbackKeys = new FeedbackKeys(client, events);
    this.gatewayApi = new GatewayApi(client, settings.gatewayApiRecheckInterval(), Clock.systemUTC());
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(ModelDeployment md, Context<ModelDeployment> context) {
    Instant now = Instant.now();
    Observed seen = observe(md, context, Stream.concat(
        SpecQueries.problems(md, settings.promqlAllowOtherNamespaces()).stream(),
        references.check(md).stream()).toList());
    // no Cleaner (it would add a finalizer): the autoscaler forgets deleted ModelDeployments here
    autoscaler.forgetAllBut(id -> context.getPrimaryCache().get(id).isPresent());
    java.util.Set<String> live = context.getPrimaryCache().list().map(m -> m.getMetadata().getUid())
        .collect(java.util.stream.Collectors.toSet());
    feedbackKeys.forgetAllBut(live::contains);
    ModelDeploymentAutoscaler.Outcome scaling = autoscaler.evaluate(md, seen.stable(), seen.canary(),
        CanaryRollout.underAnalysis(md, seen.stable()), now);
    if (scaling != null) {
      scaling.event().ifPresent(e -> events.record(md, e));
    }
    RolloutPlan plan = null;
    GatewayApi.Check gateway = null;
    if (seen.problems().isEmpty()) {
      int total = scaling != null ? scaling.desiredReplicas() : md.getSpec().replicasOrDefault();
      gateway = gatewayApi.check();
      plan = canaries.plan(md, seen.stable(), seen.canary(), total, seen.specRevision(),
          HttpRouteDependent.wanted(md) && gateway.served(), now);
      DesiredTracks.handTo(context, plan, gateway.served());
      feedbackKeys.ensure(md); // before the pods that mount it
      context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
      plan.events().forEach(e -> events.record(md, e));
    }
    ModelDeploymentStatus composed = StatusCalculator.compose(md, observe(md, context, seen.problems()), plan,
        scaling, windows, endpoint(md), now);
    StatusCalculator.withTrafficRouting(md, composed, plan, gateway, route(context, plan), now);
    ModelDeploymentStatus status = modelLoadFailure(md, composed)
        .map(f -> f.applyTo(composed, composed.getObservedGeneration(), now)).orElse(composed);
    announce(md, md.getStatus(), status, seen.problems());
    return control(md, status, seen.problems(), scaling, plan, gateway);
  }

  /** The Deployments as the informers have them now, and the revision the spec asks for. */
  private Observed observe(ModelDeployment md, Context<ModelDeployment> context, List<ReferenceProblem> problems) {
    String specRevision = RuntimeDeploymentFactory.revisionOf(
        RuntimeDeploymentFactory.of(settings).podTemplate(md));
    return new Observed(deployment(context, md, Labels.TRACK_STABLE), deployment(context, md, Labels.TRACK_CANARY),
        problems, specRevision);
  }

  /** The Deployment of a track, among the secondaries (each track has its own informer). */
  private static Deployment deployment(Context<ModelDeployment> context, ModelDeployment md, String track) {
    String name = RuntimeDeploymentFactory.deploymentName(md, track);
    return context.getSecondaryResources(Deployment.class).stream()
        .filter(d -> name.equals(d.getMetadata().getName())).findFirst().orElse(null);
  }

  /** The HTTPRoute as its informer has it, while the route splits the traffic (its informer runs only then). */
  private static HTTPRoute route(Context<ModelDeployment> context, RolloutPlan plan) {
    return plan != null && plan.traffic().routed() ? context.getSecondaryResource(HTTPRoute.class).orElse(null) : null;
  }

  /** While no pod serves: why the pods of the revision being rolled out cannot load their model, if they said. */
  private Optional<ModelLoadFailure> modelLoadFailure(ModelDeployment md, ModelDeploymentStatus status) {
    if (!ModelLoadFailure.worthLookingFor(status)) {
      return Optional.empty();
    }
    try {
      List<Pod> pods = client.pods().inNamespace(md.getMetadata().getNamespace())
          .withLabel(Labels.DEPLOYMENT, md.getMetadata().getName()).list().getItems();
      return ModelLoadFailure.find(pods, status.getRevision()).map(f -> f.naming(md));
    } catch (KubernetesClientException e) {
      LOG.debugf("cannot list the runtime pods: %s", e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Patch the status when it changed; look again when a reference, the autoscaler, the canary or a route the cluster
   * cannot serve yet needs it (installing the Gateway API CRDs changes nothing this ModelDeployment watches).
   */
  private UpdateControl<ModelDeployment> control(ModelDeployment md, ModelDeploymentStatus status,
      List<ReferenceProblem> problems, ModelDeploymentAutoscaler.Outcome scaling, RolloutPlan plan,
      GatewayApi.Check gateway) {
    UpdateControl<ModelDeployment> control = Objects.equals(md.getStatus(), status)
        ? UpdateControl.noUpdate()
        : UpdateControl.patchStatus(StatusPatch.of(md, status, ModelDeployment::new));
    if (!problems.isEmpty()) {
      return control.rescheduleAfter(settings.referenceRecheckInterval());
    }
    // a pod that fails to load its model changes no Deployment status field: look at the pods again
    Duration podRecheck = ModelLoadFailure.worthLookingFor(status) ? MODEL_LOAD_RECHECK : null;
    Duration gatewayRecheck = HttpRouteDependent.wanted(md) && gateway != null && !gateway.served()
        ? settings.gatewayApiRecheckInterval() : null;
    return Stream.of(scaling == null ? null : scaling.nextEvaluationIn(), plan == null ? null : plan.recheckIn(),
            podRecheck, gatewayRecheck)
        .filter(Objects::nonNull).min(Duration::compareTo).map(control::rescheduleAfter).orElse(control);
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
    return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(md, status, ModelDeployment::new));
  }

  /** Events for transitions only, so a steady state writes nothing. */
  private void announce(ModelDeployment md, ModelDeploymentStatus before, ModelDeploymentStatus after,
      List<ReferenceProblem> problems) {
    String revisionBefore = before == null ? null : before.getRevision();
    if (revisionBefore != null && !revisionBefore.equals(after.getRevision()) && problems.isEmpty()) {
      events.record(md, Announcement.normal(Reasons.REVISION_CHANGED,
          "rolling out revision %s (was %s)".formatted(after.getRevision(), revisionBefore)));
    }
    var scalingBefore = before == null ? null
        : Conditions.find(before.getConditions(), Conditions.SCALING_ACTIVE).orElse(null);
    var scalingAfter = Conditions.find(after.getConditions(), Conditions.SCALING_ACTIVE).orElse(null);
    if (scalingAfter != null && Reasons.METRICS_UNAVAILABLE.equals(scalingAfter.getReason())
        && (scalingBefore == null || !Reasons.METRICS_UNAVAILABLE.equals(scalingBefore.getReason()))) {
      events.record(md, Announcement.warning(Reasons.METRICS_UNAVAILABLE, scalingAfter.getMessage()));
    }
    var routingBefore = before == null ? null
        : Conditions.find(before.getConditions(), Conditions.TRAFFIC_ROUTING).orElse(null);
    var routingAfter = Conditions.find(after.getConditions(), Conditions.TRAFFIC_ROUTING).orElse(null);
    if (routingAfter != null && (routingBefore == null
        || !Objects.equals(routingBefore.getReason(), routingAfter.getReason()))) {
      events.record(md, new Announcement(Conditions.FALSE.equals(routingAfter.getStatus()), routingAfter.getReason(),
          routingAfter.getMessage()));
    }
    var readyBefore = before == null ? null : Conditions.find(before.getConditions(), Conditions.READY).orElse(null);
    var readyAfter = Conditions.find(after.getConditions(), Conditions.READY).orElseThrow();
    if (readyBefore != null && Objects.equals(readyBefore.getStatus(), readyAfter.getStatus())
        && Objects.equals(readyBefore.getReason(), readyAfter.getReason())) {
      return;
    }
    boolean problem = !problems.isEmpty() || Reasons.PROGRESS_DEADLINE_EXCEEDED.equals(readyAfter.getReason())
        || ModelLoadFailure.REASONS.contains(readyAfter.getReason());
    events.record(md, new Announcement(problem, readyAfter.getReason(), readyAfter.getMessage()));
  }

  private String endpoint(ModelDeployment md) {
    String name = md.getMetadata().getName();
    return "http://%s.%s.svc.%s:%d/v2/models/%s".formatted(name, md.getMetadata().getNamespace(),
        settings.clusterDomain(), Http.PORT, name);
  }

}
