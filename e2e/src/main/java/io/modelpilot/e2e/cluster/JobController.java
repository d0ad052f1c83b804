package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Job controller: one pod at a time until {@code completions} pods succeeded, a new one after each failure
 * (with back-off) until {@code backoffLimit}, all of them stopped when the Job is suspended or outlives
 * {@code activeDeadlineSeconds}; and the Job's status with the conditions of Kubernetes 1.31+. What a pod's
 * container leaves behind (exit code, termination message) is the {@link PodRunner}'s to record.
 */
final class JobController {

  private static final Logger LOG = LoggerFactory.getLogger(JobController.class);

  private final KubernetesClient client;
  private final PodRunner runner;
  private final PodPublisher publisher;
  private final Map<String, Track> tracks = new HashMap<>();

  /** What the controller counts and decided for one Job. */
  private static final class Track {
    Instant startTime;
    int succeeded;
    int failed;
    Instant nextAttempt;
    JobCondition outcome;
    Instant completionTime;
    String written;

    void count(PodProcess finished, Instant now) {
      if (finished.exitCode == 0) {
        succeeded++;
      } else {
        failed++;
        nextAttempt = now.plus(PodRunner.backoff(failed - 1));
      }
    }
  }

  JobController(KubernetesClient client, PodRunner runner, PodPublisher publisher) {
    this.client = client;
    this.runner = runner;
    this.publisher = publisher;
  }

  void sync(Job job, Instant now) {
    String key = PodProcess.ownerKey(job);
    Track track = tracks.computeIfAbsent(key, k -> new Track());
    for (PodProcess p : runner.podsOf(key)) {
      if (p.exitedUnhandled()) {
        runner.finish(p, now);
        counted(track, p, now);
      }
    }
    if (track.outcome == null && terminal(job.getStatus())) {
      return; // finished before this kubelet saw it
    }
    if (track.outcome == null) {
      decide(job, key, track, now);
    }
    writeStatus(job, key, track);
  }

  /** Forgets the Jobs that are gone. */
  void retainOnly(Set<String> ownerKeys) {
    tracks.keySet().retainAll(ownerKeys);
  }

  /** Complete, failed, or the next pod to start. */
  private void decide(Job job, String key, Track track, Instant now) {
    JobSpec spec = job.getSpec();
    List<PodProcess> active = active(key);
    int completions = Optional.ofNullable(spec.getCompletions()).orElse(1);
    int backoffLimit = Optional.ofNullable(spec.getBackoffLimit()).orElse(6);
    boolean suspended = Boolean.TRUE.equals(spec.getSuspend());
    String name = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
    if (track.startTime == null && !suspended) {
      track.startTime = now;
    }
    if (suspended) {
      active.forEach(p -> runner.stop(p, "Job suspended"));
    } else if (track.succeeded >= completions) {
      track.outcome = condition("Complete", null, null, now);
      track.completionTime = now;
      LOG.info("Job {} complete", name);
    } else if (track.failed > backoffLimit) {
      track.outcome = condition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
      LOG.info("Job {} failed: {} failed pod(s)", name, track.failed);
    } else if (spec.getActiveDeadlineSeconds() != null
        && now.isAfter(track.startTime.plusSeconds(spec.getActiveDeadlineSeconds()))) {
      track.outcome = condition("Failed", "DeadlineExceeded", "Job was active longer than specified deadline", now);
      active.forEach(p -> runner.stop(p, "the Job's activeDeadlineSeconds passed"));
      LOG.info("Job {} failed: deadline exceeded", name);
    } else if (active.isEmpty() && (track.nextAttempt == null || !now.isBefore(track.nextAttempt))) {
      startPod(job, track);
    }
  }

  private void startPod(Job job, Track track) {
    PodTemplateSpec template = job.getSpec().getTemplate();
    Map<String, String> labels = new LinkedHashMap<>(Optional.ofNullable(template.getMetadata())
        .map(m -> m.getLabels()).orElse(Map.of()));
    String uid = job.getMetadata().getUid();
    labels.put("batch.kubernetes.io/controller-uid", uid);
    labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
    labels.put("controller-uid", uid);
    labels.put("job-name", job.getMetadata().getName());
    PodProcess p = runner.start(job, template, job.getMetadata().getName(), "", labels, true);
    LOG.info("Job {}/{}: started pod {}: {}", p.namespace, job.getMetadata().getName(), p.name,
        String.join(" ", Optional.ofNullable(p.container.getArgs()).orElse(List.of())));
    if (p.finishedAt != null) { // its container could not start: a failed attempt
      counted(track, p, Instant.now());
    }
  }

  /** The pod's result is in the API before the Job says it finished, as in a cluster. */
  private void counted(Track track, PodProcess finished, Instant now) {
    publisher.publish(finished);
    track.count(finished, now);
  }

  private void writeStatus(Job job, String key, Track track) {
    List<PodProcess> active = active(key);
    JobStatusBuilder status = new JobStatusBuilder()
        .withStartTime(time(track.startTime))
        .withActive(active.isEmpty() ? null : active.size())
        .withReady((int) active.stream().filter(p -> p.ready).count())
        .withSucceeded(track.succeeded == 0 ? null : track.succeeded)
        .withFailed(track.failed == 0 ? null : track.failed)
        .withTerminating(0)
        .withCompletionTime(time(track.completionTime));
    if (track.outcome != null) {
      // Kubernetes 1.31+: the criteria condition first, then the terminal one
      boolean complete = track.outcome.getType().equals("Complete");
      status.addToConditions(new JobConditionBuilder(track.outcome)
          .withType(complete ? "SuccessCriteriaMet" : "FailureTarget").build(), track.outcome);
    }
    JobStatus next = status.build();
    String signature = Serialization.asJson(next);
    if (signature.equals(track.written)) {
      return;
    }
    try {
      client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
          .resource(new JobBuilder(job).withStatus(next).build()).updateStatus();
      track.written = signature;
    } catch (KubernetesClientException e) {
      LOG.warn("cannot write the status of Job {}: {}", key, e.getMessage());
    }
  }

  private List<PodProcess> active(String key) {
    return runner.podsOf(key).stream().filter(p -> p.finishedAt == null && !p.terminating).toList();
  }

  private static boolean terminal(JobStatus status) {
    return status != null && status.getConditions() != null && status.getConditions().stream()
        .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
  }

  private static JobCondition condition(String type, String reason, String message, Instant now) {
    return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
        .withLastProbeTime(time(now)).withLastTransitionTime(time(now)).build();
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
