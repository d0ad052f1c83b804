package io.modelpilot.operator.tuning;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.TuningJob;
import io.modelpilot.operator.deployment.RuntimeDeploymentFactory;
import io.modelpilot.operator.api.v1alpha1.TrialStatus;
import io.modelpilot.operator.search.Constraint;
import io.modelpilot.operator.search.EarlyStopping;
import io.modelpilot.operator.search.Observation;
import io.modelpilot.operator.search.Point;
import io.modelpilot.operator.search.Study;
import io.modelpilot.operator.search.Suggester;
import io.modelpilot.operator.status.Announcement;
import io.modelpilot.operator.status.Reasons;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trials of one TuningJob: status.trials brought up to date from the Jobs that exist (a Job the status does not
 * list yet is adopted, so nothing is created twice or lost across an operator restart), finished Jobs read, and new
 * Jobs started for the points the search suggests.
 */
final class TrialBook {

  private static final Logger LOG = Logger.getLogger(TrialBook.class);

  private final KubernetesClient client;
  private final RuntimeDeploymentFactory pods;

  TrialBook(KubernetesClient client, RuntimeDeploymentFactory pods) {
    this.client = client;
    this.pods = pods;
  }

  /** status.trials from the previous status and the TuningJob's Jobs, in creation order; Events for what ended. */
  List<TrialStatus> sync(TuningJob tj, List<TrialStatus> previous, List<Job> jobs, Study study,
      List<Announcement> events) {
    Map<String, TrialStatus> trials = new LinkedHashMap<>();
    previous.forEach(t -> trials.put(t.getName(), copy(t)));
    for (Job job : jobs) {
      String name = job.getMetadata().getName();
      if (TrialJobs.index(tj, name) < 0) {
        continue;
      }
      TrialStatus trial = trials.get(name);
      if (trial == null) {
        Map<String, String> parameters = TrialJobs.parameters(job);
        trial = new TrialStatus(name, parameters == null ? Map.of() : parameters, TrialStatus.Phase.RUNNING);
        trials.put(name, trial);
        LOG.infof("adopted trial %s (its Job exists, the status did not list it yet)", name);
      }
      if (trial.getPhase().finished()) {
        continue;
      }
      List<Pod> pods = pods(tj, name);
      if (tj.getSpec().getEarlyStopping() != null) {
        trial.setIntermediate(EarlyStops.parse(log(tj, EarlyStops.podName(pods))));
      }
      record(trial, TrialResults.of(job, pods, Studies.requiredMetrics(tj.getSpec())), study, events);
    }
    for (TrialStatus trial : trials.values()) {
      boolean seen = jobs.stream().anyMatch(j -> trial.getName().equals(j.getMetadata().getName()));
      // the informer may not have a Job created a moment ago: only the API server can say it is gone
      if (!trial.getPhase().finished() && !seen && jobGone(tj, trial.getName())) {
        trial.setPhase(TrialStatus.Phase.FAILED);
        trial.setReason("JobDeleted");
        trial.setMessage("the trial's Job was deleted before it finished");
        events.add(Announcement.warning(Reasons.TRIAL_FAILED, trial.getName() + ": " + trial.getMessage()));
      }
    }
    List<TrialStatus> ordered = new ArrayList<>(trials.values());
    ordered.sort(Comparator.comparingInt(t -> TrialJobs.index(tj, t.getName())));
    stopEarly(tj, ordered, study, events);
    return ordered;
  }

  /** Running trials the early-stopping rule gives up on: their Jobs are deleted, the trials kept as EarlyStopped. */
  private void stopEarly(TuningJob tj, List<TrialStatus> trials, Study study, List<Announcement> events) {
    EarlyStopping rule = EarlyStops.rule(tj.getSpec().getEarlyStopping());
    List<Observation> history = trials.stream().map(Studies::observation).toList();
    for (TrialStatus trial : trials) {
      if (trial.getPhase() != TrialStatus.Phase.RUNNING || trial.getIntermediate() == null
          || trial.getIntermediate().isEmpty()) {
        continue;
      }
      EarlyStopping.Decision decision = rule.evaluate(study.objective(), Studies.observation(trial), history);
      if (!decision.stop()) {
        continue;
      }
      client.batch().v1().jobs().inNamespace(tj.getMetadata().getNamespace()).withName(trial.getName())
          .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      trial.setPhase(TrialStatus.Phase.EARLY_STOPPED);
      trial.setReason("EarlyStopped");
      trial.setMessage(decision.reason());
      var last = trial.getIntermediate().get(trial.getIntermediate().size() - 1);
      trial.setMetrics(Map.of(study.objective().metric(), last.getValue()));
      events.add(Announcement.normal(Reasons.TRIAL_EARLY_STOPPED, trial.getName() + ": " + decision.reason()));
    }
  }

  /** The pod's log, or null when it cannot be read (no pod yet, or the API server refuses). */
  private String log(TuningJob tj, String pod) {
    if (pod == null) {
      return null;
    }
    try {
      // no wait for readiness: that would watch the pod (RBAC grants pods list only), and a finished trial never
      // becomes ready. fabric8 waits whenever a ready-wait timeout is set, even 0 (an informer: list and watch), so
      // none is set.
      return client.pods().inNamespace(tj.getMetadata().getNamespace()).withName(pod).getLog();
    } catch (KubernetesClientException e) {
      LOG.debugf("no log for %s: %s", pod, e.getMessage());
      return null;
    }
  }

  /**
   * Starts up to {@code slots} trials at the points the search suggests. A Job that already exists (created just
   * before a restart) is taken as it is.
   */
  void launch(TuningJob tj, ModelDeployment target, Study study, List<TrialStatus> trials, List<Observation> history,
      int slots, List<Announcement> events) {
    Suggester suggester = Suggester.named(tj.getSpec().getAlgorithm() == null ? "bayesian"
        : tj.getSpec().getAlgorithm().nameOrDefault().value());
    long seed = tj.getSpec().getAlgorithm() == null ? 1 : tj.getSpec().getAlgorithm().seedOrDefault();
    List<Map<String, String>> points = new ArrayList<>();
    Map<String, String> baseline = trials.isEmpty() ? baseline(tj, target, study, pods, history) : null;
    List<Observation> seen = history;
    if (baseline != null) {
      // the first trial measures the target as it is: the winner is then never worse than what runs
      points.add(baseline);
      seen = new ArrayList<>(history);
      seen.add(Observation.pending(TrialJobs.name(tj, 1), baseline));
    }
    if (slots > points.size()) {
      suggester.suggest(study, seen, slots - points.size(), seed).points().stream().map(Point::asStrings)
          .forEach(points::add);
    }
    int next = trials.stream().mapToInt(t -> TrialJobs.index(tj, t.getName())).max().orElse(0) + 1;
    for (Map<String, String> parameters : points) {
      String name = TrialJobs.name(tj, next++);
      TrialStatus trial = new TrialStatus(name, parameters, TrialStatus.Phase.PENDING);
      try {
        client.batch().v1().jobs().inNamespace(tj.getMetadata().getNamespace())
            .resource(TrialJobs.job(tj, target, pods, name, parameters)).create();
        trial.setPhase(TrialStatus.Phase.RUNNING);
        events.add(Announcement.normal(Reasons.TRIAL_STARTED, name + ": " + parameters));
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          trial.setPhase(TrialStatus.Phase.RUNNING); // created before a restart; the next sync reads it
        } else {
          trial.setPhase(TrialStatus.Phase.FAILED);
          trial.setReason(Reasons.TRIAL_NOT_CREATED);
          trial.setMessage("the API server refused the trial's Job: " + TrialResults.shown(e.getMessage()));
          events.add(Announcement.warning(Reasons.TRIAL_FAILED, name + ": " + trial.getMessage()));
        }
      } catch (IllegalArgumentException e) {
        trial.setPhase(TrialStatus.Phase.FAILED);
        trial.setReason(Reasons.TRIAL_NOT_CREATED);
        trial.setMessage(e.getMessage());
        events.add(Announcement.warning(Reasons.TRIAL_FAILED, name + ": " + e.getMessage()));
      }
      trials.add(trial);
    }
  }

  /** The TuningJob ended: trials still running are stopped (their Jobs deleted) and kept as Failed, Cancelled. */
  void cancel(TuningJob tj, List<TrialStatus> trials, String why) {
    for (TrialStatus trial : trials) {
      if (trial.getPhase().finished()) {
        continue;
      }
      client.batch().v1().jobs().inNamespace(tj.getMetadata().getNamespace()).withName(trial.getName())
          .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      trial.setPhase(TrialStatus.Phase.FAILED);
      trial.setReason("Cancelled");
      trial.setMessage("stopped: " + why);
    }
  }

  /**
   * What the target serves now, as a point of the space; null when its settings are not one, when its spec is not
   * what runs (a canary of it was rolled back, or is still being judged), or when that point was rolled back.
   */
  static Map<String, String> baseline(TuningJob tj, ModelDeployment target, Study study,
      RuntimeDeploymentFactory pods, List<Observation> history) {
    String served = target.getStatus() == null ? null : target.getStatus().getRevision();
    if (served == null || !served.equals(RuntimeDeploymentFactory.revisionOf(pods.podTemplate(target)))) {
      return null;
    }
    Map<String, String> current = Tunables.current(tj.getSpec().getParameters(), target);
    if (current == null) {
      return null;
    }
    try {
      Map<String, String> point = study.space().point(current).asStrings();
      boolean refused = history.stream().filter(o -> o.state() == Observation.State.FAILED)
          .anyMatch(o -> sameAs(study, o.parameters(), point));
      return refused ? null : point;
    } catch (IllegalArgumentException e) {
      return null; // the target runs something outside the space: nothing to compare with
    }
  }

  private static boolean sameAs(Study study, Map<String, ?> parameters, Map<String, String> point) {
    try {
      return study.space().point(parameters).asStrings().equals(point);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void record(TrialStatus trial, TrialResults.Result result, Study study, List<Announcement> events) {
    if (result instanceof TrialResults.Succeeded s) {
      trial.setPhase(TrialStatus.Phase.SUCCEEDED);
      trial.setMetrics(s.metrics());
      boolean feasible = study.constraints().stream().allMatch(c -> c.satisfiedBy(s.metrics()));
      trial.setFeasible(feasible);
      String objective = study.objective().metric();
      events.add(Announcement.normal(Reasons.TRIAL_SUCCEEDED, "%s: %s=%s%s".formatted(trial.getName(), objective,
          s.metrics().get(objective), feasible ? "" : " (breaks a constraint: " + broken(study, s.metrics()) + ")")));
    } else if (result instanceof TrialResults.Failed f) {
      trial.setPhase(TrialStatus.Phase.FAILED);
      trial.setReason(f.reason());
      trial.setMessage(f.message());
      events.add(Announcement.warning(Reasons.TRIAL_FAILED, trial.getName() + ": " + f.message()));
    } else {
      trial.setPhase(TrialStatus.Phase.RUNNING);
    }
  }

  private static String broken(Study study, Map<String, Double> metrics) {
    return String.join(", ", study.constraints().stream().filter(c -> !c.satisfiedBy(metrics))
        .map(Constraint::toString).toList());
  }

  private boolean jobGone(TuningJob tj, String name) {
    return client.batch().v1().jobs().inNamespace(tj.getMetadata().getNamespace()).withName(name).get() == null;
  }

  private List<Pod> pods(TuningJob tj, String trial) {
    return client.pods().inNamespace(tj.getMetadata().getNamespace())
        .withLabel(TrialJobs.LABEL_TRIAL, trial).list().getItems();
  }

  private static TrialStatus copy(TrialStatus t) {
    TrialStatus c = new TrialStatus(t.getName(), t.getParameters(), t.getPhase());
    c.setMetrics(t.getMetrics());
    c.setReason(t.getReason());
    c.setMessage(t.getMessage());
    c.setFeasible(t.getFeasible());
    c.setIntermediate(t.getIntermediate());
    return c;
  }
}
