package io.modelpilot.operator.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.contract.RuntimeContract.ModelLoad;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.operator.status.Reasons;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Why a runtime pod of the revision being rolled out could not serve its model, from the termination message the
 * model server writes before it exits ({@code {"reason": "ModelDigestMismatch", "message": …}}): without it a
 * wrong digest or a refused key would only show as pods that never become ready. Pure.
 */
public record ModelLoadFailure(String pod, String reason, String message) {

  /** The reasons the model server writes; anything else in a termination message is not ours to report. */
  public static final Set<String> REASONS = Set.of(ModelLoad.DIGEST_MISMATCH, ModelLoad.ACCESS_DENIED,
      ModelLoad.NOT_FOUND, ModelLoad.TOO_LARGE, ModelLoad.DOWNLOAD_TIMEOUT, ModelLoad.DOWNLOAD_FAILED,
      ModelLoad.INVALID_SOURCE, ModelLoad.CREDENTIALS_NOT_FOUND, ModelLoad.LOAD_FAILED);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The first failure among the runtime containers of {@code pods} that run {@code revision}. */
  public static Optional<ModelLoadFailure> find(List<Pod> pods, String revision) {
    return pods.stream()
        .filter(p -> p.getMetadata().getLabels() != null
            && revision.equals(p.getMetadata().getLabels().get(Labels.REVISION)))
        .flatMap(p -> runtimeStatuses(p).flatMap(c -> Stream.of(
                c.getState() == null ? null : c.getState().getTerminated(),
                c.getLastState() == null ? null : c.getLastState().getTerminated()))
            .flatMap(t -> parse(p.getMetadata().getName(), t).stream()))
        .findFirst();
  }

  private static Stream<ContainerStatus> runtimeStatuses(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return Stream.empty();
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(c -> RuntimeDeploymentFactory.CONTAINER.equals(c.getName()));
  }

  private static Optional<ModelLoadFailure> parse(String pod, ContainerStateTerminated terminated) {
    if (terminated == null || terminated.getMessage() == null || terminated.getMessage().isBlank()) {
      return Optional.empty();
    }
    try {
      JsonNode body = JSON.readTree(terminated.getMessage());
      String reason = body.path("reason").asText("");
      return REASONS.contains(reason)
          ? Optional.of(new ModelLoadFailure(pod, reason, body.path("message").asText("")))
          : Optional.empty();
    } catch (Exception notOurs) {
      return Optional.empty();
    }
  }

  /**
   * Whether pods may be failing to load their model: Ready is False because they are not ready yet (or were found
   * failing before). While some pod serves, the rollout's own conditions tell the story.
   */
  public static boolean worthLookingFor(ModelDeploymentStatus status) {
    return Conditions.find(status.getConditions(), Conditions.READY)
        .filter(c -> Conditions.FALSE.equals(c.getStatus()))
        .map(c -> Reasons.DEPLOYING.equals(c.getReason()) || Reasons.PROGRESS_DEADLINE_EXCEEDED.equals(c.getReason())
            || REASONS.contains(c.getReason()))
        .orElse(false) && status.getRevision() != null;
  }

  /** The failure with the spec's own words added where the runtime cannot know them (the Secret's name). */
  public ModelLoadFailure naming(ModelDeployment md) {
    var secret = md.getSpec().getModel().getCredentialsSecretRef();
    if (!ModelLoad.CREDENTIALS_NOT_FOUND.equals(reason) || secret == null) {
      return this;
    }
    return new ModelLoadFailure(pod, reason, "spec.model.credentialsSecretRef.name: Secret \"" + secret.getName()
        + "\" not found (or holds no keys) in namespace \"" + md.getMetadata().getNamespace() + "\"; the runtime "
        + "said: " + message);
  }

  /** The status with Ready=False and Degraded=True for this failure, when {@link #worthLookingFor} it. */
  public ModelDeploymentStatus applyTo(ModelDeploymentStatus status, long generation, Instant now) {
    if (!worthLookingFor(status)) {
      return status;
    }
    String text = "pod " + pod + " cannot serve the model: " + message;
    var conditions = Conditions.upsert(status.getConditions(),
        Conditions.of(Conditions.READY, false, reason, text, generation, now));
    conditions = Conditions.upsert(conditions, Conditions.of(Conditions.DEGRADED, true, reason, text, generation, now));
    status.setConditions(conditions);
    return status;
  }
}
