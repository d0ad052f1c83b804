package io.modelpilot.operator.tuning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a trial's Job ended, read as a kubelet leaves it: the Job's conditions, and the JSON object of metrics its
 * container wrote to its termination message. Whatever a trial image writes there, garbage included, becomes a
 * result or a failure with a reason; nothing here throws.
 */
final class TrialResults {

  static final int MAX_SHOWN = 120;

  /** Where a trial stands. */
  sealed interface Result permits Running, Succeeded, Failed {
  }

  record Running() implements Result {
  }

  record Succeeded(Map<String, Double> metrics) implements Result {
  }

  record Failed(String reason, String message) implements Result {
  }

  private TrialResults() {
  }

  /**
   * @param pods the Job's pods (the trial's label)
   * @param required metrics the result must carry (the objective's and the constraints')
   */
  static Result of(Job job, List<Pod> pods, List<String> required) {
    Optional<JobCondition> end = finished(job);
    if (end.isEmpty()) {
      return new Running();
    }
    ContainerStateTerminated terminated = terminated(pods);
    if ("Failed".equals(end.get().getType())) {
      String reason = end.get().getReason() == null ? "TrialFailed" : end.get().getReason();
      if ("DeadlineExceeded".equals(reason)) {
        return new Failed("DeadlineExceeded", "the trial ran past spec.trial.activeDeadlineSeconds");
      }
      String detail = terminated == null ? "its pod left no exit status"
          : "exit code " + terminated.getExitCode() + (terminated.getMessage() == null ? ""
              : ": " + shown(terminated.getMessage()));
      return new Failed("TrialFailed", "the trial's container failed (" + detail + ")");
    }
    if (terminated == null || terminated.getMessage() == null || terminated.getMessage().isBlank()) {
      return new Failed("NoResult", "the trial succeeded but wrote no termination message (a JSON object of "
          + "metrics to /dev/termination-log)");
    }
    return metrics(terminated.getMessage(), required);
  }

  /** The metrics in a termination message: a JSON object; its numeric fields count, others are ignored. */
  static Result metrics(String message, List<String> required) {
    JsonNode node;
    try {
      node = Serialization.jsonMapper().readTree(message.trim());
    } catch (JsonProcessingException e) {
      return new Failed("BadResult", "the termination message is not JSON: " + shown(message));
    }
    if (node == null || !node.isObject()) {
      return new Failed("BadResult", "the termination message is not a JSON object: " + shown(message));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> {
      if (e.getValue().isNumber() && Double.isFinite(e.getValue().asDouble())) {
        metrics.put(e.getKey(), e.getValue().asDouble());
      }
    });
    for (String metric : required) {
      if (!metrics.containsKey(metric)) {
        return new Failed("MissingMetric", "the result has no numeric '" + metric + "': " + shown(message));
      }
    }
    return new Succeeded(metrics);
  }

  private static Optional<JobCondition> finished(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> "True".equals(c.getStatus()) && ("Complete".equals(c.getType()) || "Failed".equals(c.getType())))
        .findFirst();
  }

  private static ContainerStateTerminated terminated(List<Pod> pods) {
    for (Pod pod : pods) {
      if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
        continue;
      }
      for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
        if (s.getState() != null && s.getState().getTerminated() != null) {
          return s.getState().getTerminated();
        }
      }
    }
    return null;
  }

  /** At most {@value #MAX_SHOWN} characters of what a trial wrote, on one line. */
  static String shown(String text) {
    String line = text.replaceAll("\\s+", " ").strip();
    return line.length() <= MAX_SHOWN ? "'" + line + "'" : "'" + line.substring(0, MAX_SHOWN) + "…'";
  }
}
