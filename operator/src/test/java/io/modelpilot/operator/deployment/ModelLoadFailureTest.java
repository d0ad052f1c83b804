package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus;
import io.modelpilot.operator.status.Conditions;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ModelLoadFailureTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  static Pod pod(String name, String revision, String container, String terminationMessage, boolean last) {
    var status = new PodBuilder().withNewMetadata().withName(name)
        .withLabels(Map.of("modelpilot.io/revision", revision)).endMetadata()
        .withNewStatus().addNewContainerStatus().withName(container);
    var withState = last
        ? status.withNewLastState().withNewTerminated().withExitCode(1).withMessage(terminationMessage).endTerminated()
            .endLastState()
        : status.withNewState().withNewTerminated().withExitCode(1).withMessage(terminationMessage).endTerminated()
            .endState();
    return withState.endContainerStatus().endStatus().build();
  }

  static String message(String reason) {
    return "{\"reason\":\"" + reason + "\",\"message\":\"why\"}";
  }

  @Test
  void findsTheRuntimesReasonInTheLastOrCurrentTerminationOfThatRevision() {
    List<Pod> pods = List.of(
        pod("old", "aaa", "runtime", message("ModelNotFound"), true),
        pod("other", "bbb", "sidecar", message("ModelAccessDenied"), true),
        pod("new", "bbb", "runtime", message("ModelDigestMismatch"), false));

    assertThat(ModelLoadFailure.find(pods, "bbb"))
        .contains(new ModelLoadFailure("new", "ModelDigestMismatch", "why"));
  }

  @Test
  void ignoresMessagesThatAreNotTheRuntimes() {
    List<Pod> pods = List.of(
        pod("a", "r1", "runtime", "panic: out of memory", true),
        pod("b", "r1", "runtime", "{\"reason\":\"Whatever\",\"message\":\"x\"}", true),
        new PodBuilder().withNewMetadata().withName("c").withLabels(Map.of("modelpilot.io/revision", "r1"))
            .endMetadata().build());

    assertThat(ModelLoadFailure.find(pods, "r1")).isEmpty();
  }

  @Test
  void turnsReadyFalseAndDegradedOnlyWhileNoPodServes() {
    ModelLoadFailure failure = new ModelLoadFailure("p1", "ModelAccessDenied", "S3 answered HTTP 403");
    ModelDeploymentStatus deploying = new ModelDeploymentStatus();
    deploying.setRevision("r1");
    deploying.setConditions(List.of(Conditions.of(Conditions.READY, false, "Deploying", "0/1 replicas ready", 1, NOW)));

    ModelDeploymentStatus reported = failure.applyTo(deploying, 1, NOW);

    assertThat(Conditions.find(reported.getConditions(), Conditions.READY)).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("ModelAccessDenied");
      assertThat(c.getMessage()).isEqualTo("pod p1 cannot serve the model: S3 answered HTTP 403");
    });
    assertThat(Conditions.isTrue(reported.getConditions(), Conditions.DEGRADED)).isTrue();

    ModelDeploymentStatus serving = new ModelDeploymentStatus();
    serving.setRevision("r1");
    serving.setConditions(List.of(Conditions.of(Conditions.READY, true, "Available", "1/2 replicas ready", 1, NOW)));
    assertThat(ModelLoadFailure.worthLookingFor(serving)).isFalse();
    assertThat(failure.applyTo(serving, 1, NOW).getConditions()).isEqualTo(serving.getConditions());
  }
}
