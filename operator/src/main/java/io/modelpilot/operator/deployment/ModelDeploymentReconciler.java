package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus;
import io.modelpilot.operator.config.OperatorSettings;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.operator.status.EventRecorder;
import io.modelpilot.operator.status.Reasons;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * ModelDeployment → runtime Deployment + Service, and a status that says how the rollout goes.
 * The workflow is invoked explicitly: while a referenced Secret or PVC is missing, nothing is
 * created or changed (an existing Deployment keeps serving), and the status says what is missing.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "service", type = RuntimeServiceDependent.class),
    @Dependent(name = "deployment", type = RuntimeDeploymentDependent.class)})
@ControllerConfiguration(name = ModelDeploymentReconciler.NAME)
public class ModelDeploymentReconciler implements Reconciler<ModelDeployment> {

  public static final String NAME = "modeldeployment";
  private static final Logger LOG = Logger.getLogger(ModelDeploymentReconciler.class);

  private final OperatorSettings settings;
  private final References references;
  private final EventRecorder events;

  public ModelDeploymentReconciler(OperatorSettings settings, KubernetesClient client) {
    this.settings = settings;
    this.references = new References(client);
    this.events = new EventRecorder(client);
  }

  @Override
  public UpdateControl<ModelDeployment> reconcile(ModelDeployment md, Context<ModelDeployment> context) {
    List<ReferenceProblem> problems = references.check(md);
    if (problems.isEmpty()) {
      context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
    }
    Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
    String revision = RuntimeDeploymentFactory.revisionOf(
        new RuntimeDeploymentFactory(settings.runtimeImage()).podTemplate(md));
    ModelDeploymentStatus status = StatusCalculator.compute(md, deployment, problems, revision, endpoint(md),
        Instant.now());

    announce(md, md.getStatus(), status, problems);
    UpdateControl<ModelDeployment> control = Objects.equals(md.getStatus(), status)
        ? UpdateControl.noUpdate()
        : UpdateControl.patchStatus(forStatusPatch(md, status));
    return problems.isEmpty() ? control : control.rescheduleAfter(settings.referenceRecheckInterval());
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
