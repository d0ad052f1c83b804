package io.modelpilot.operator.tuning;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.TuningJob;
import io.modelpilot.operator.api.v1alpha1.TuningJobStatus;
import io.modelpilot.operator.config.OperatorSettings;
import io.modelpilot.operator.deployment.RuntimeDeploymentFactory;
import io.modelpilot.operator.search.Study;
import io.modelpilot.operator.status.Announcement;
import io.modelpilot.operator.status.EventRecorder;
import io.modelpilot.operator.status.Reasons;
import io.modelpilot.operator.status.StatusPatch;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * TuningJob → trial Jobs (never more than parallelTrials at once) → the best trial → shipped into the target
 * ModelDeployment as a guarded canary (or recommended, for GitOps), and the canary's verdict recorded. Everything
 * it knows is in status.trials and the Jobs it owns, so a restarted operator resumes where it was.
 */
@ControllerConfiguration(name = TuningJobReconciler.NAME)
public class TuningJobReconciler implements Reconciler<TuningJob> {

  public static final String NAME = "tuningjob";
  static final Duration POLL = Duration.ofSeconds(3);
  static final Duration TARGET_RECHECK = Duration.ofSeconds(30);
  private static final Logger LOG = Logger.getLogger(TuningJobReconciler.class);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final TrialBook trials;
  private final Shipping shipping;

  public TuningJobReconciler(OperatorSettings settings, KubernetesClient client) {
    this.client = client;
    this.events = new EventRecorder(client);
    this.trials = new TrialBook(client, RuntimeDeploymentFactory.of(settings));
    this.shipping = new Shipping(client, RuntimeDeploymentFactory.of(settings));
  }

  @Override
  public List<EventSource<?, TuningJob>> prepareEventSources(EventSourceContext<TuningJob> context) {
    return List.of(new InformerEventSource<>(InformerEventSourceConfiguration.from(Job.class, TuningJob.class)
        .withLabelSelector(TrialJobs.LABEL_TUNING_JOB).build(), context));
  }

  @Override
  public UpdateControl<TuningJob> reconcile(TuningJob tj, Context<TuningJob> context) {
    Progress p = Progress.of(tj, Instant.now());
    if (p.settled()) {
      return UpdateControl.noUpdate();
    }
    ModelDeployment target = client.resources(ModelDeployment.class).inNamespace(tj.getMetadata().getNamespace())
        .withName(tj.getSpec().getTargetRef().getName()).get();
    Study study = p.study();
    if (study != null) {
      p.trials(trials.sync(tj, p.trials(), List.copyOf(context.getSecondaryResources(Job.class)), study, p.events()));
      if (target == null) {
        p.blocked(Reasons.TARGET_NOT_FOUND, "ModelDeployment " + tj.getSpec().getTargetRef().getName()
            + " not found in namespace " + tj.getMetadata().getNamespace() + "; no new trial starts until it exists");
      } else if (p.searching()) {
        search(tj, target, study, p);
      } else if (p.applying()) {
        p.watchOutcome(target, shipping);
      }
    }
    return finish(tj, p);
  }

  /** Start trials while there is room, or end the search and ship (or recommend) its best point. */
  private void search(TuningJob tj, ModelDeployment target, Study study, Progress p) {
    if (p.tooManyFailures()) {
      trials.cancel(tj, p.trials(), "the TuningJob failed (too many failed trials)");
      return;
    }
    int slots = p.freeSlots();
    if (slots > 0) {
      trials.launch(tj, target, study, p.trials(), p.history(Shipping.rolledBack(target)), slots, p.events());
    }
    if (p.searchOver()) {
      p.ship(target, shipping);
    }
  }

  private UpdateControl<TuningJob> finish(TuningJob tj, Progress p) {
    TuningJobStatus status = p.status();
    for (Announcement e : p.events()) {
      events.record(tj, e);
    }
    UpdateControl<TuningJob> control = Objects.equals(tj.getStatus(), status) ? UpdateControl.noUpdate()
        : UpdateControl.patchStatus(StatusPatch.of(tj, status, TuningJob::new));
    if (status.getPhase().terminal() || p.waitsForSpecChange()) {
      return control;
    }
    return control.rescheduleAfter(p.blockedOnTarget() ? TARGET_RECHECK : POLL);
  }

  @Override
  public ErrorStatusUpdateControl<TuningJob> updateErrorStatus(TuningJob tj, Context<TuningJob> context,
      Exception e) {
    String message = "reconcile failed: " + e.getMessage();
    LOG.warn(message, e);
    Progress p = Progress.of(tj, Instant.now());
    p.error(message);
    TuningJobStatus status = p.status();
    if (!Objects.equals(tj.getStatus(), status)) {
      events.record(tj, Announcement.warning(Reasons.RECONCILE_ERROR, message));
    }
    return ErrorStatusUpdateControl.patchStatus(StatusPatch.of(tj, status, TuningJob::new));
  }
}
