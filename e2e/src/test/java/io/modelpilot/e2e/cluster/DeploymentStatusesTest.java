package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class DeploymentStatusesTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void aRolledOutDeploymentIsAvailableWithItsNewReplicaSetAvailable() {
    DeploymentStatus status = DeploymentStatuses.compute(
        new DeploymentStatuses.Observed(3, 2, 0, "m-abc", 2, 2, 2, false), null, T0);
    assertThat(status.getObservedGeneration()).isEqualTo(3);
    assertThat(status.getReplicas()).isEqualTo(2);
    assertThat(status.getUpdatedReplicas()).isEqualTo(2);
    assertThat(status.getReadyReplicas()).isEqualTo(2);
    assertThat(status.getAvailableReplicas()).isEqualTo(2);
    assertThat(status.getUnavailableReplicas()).isZero();
    assertThat(condition(status, "Available").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
  }

  @Test
  void aSurgingRolloutIsProgressingAndCountsItsUnavailablePod() {
    DeploymentStatus status = DeploymentStatuses.compute(
        new DeploymentStatuses.Observed(2, 2, 0, "m-def", 3, 1, 2, false), null, T0);
    assertThat(status.getUnavailableReplicas()).isEqualTo(1);
    assertThat(condition(status, "Available").getStatus()).isEqualTo("True");
    assertThat(condition(status, "Progressing").getReason()).isEqualTo("ReplicaSetUpdated");
  }

  @Test
  void aStuckRolloutReportsItsProgressDeadline() {
    DeploymentStatus status = DeploymentStatuses.compute(
        new DeploymentStatuses.Observed(2, 2, 0, "m-def", 3, 1, 2, true), null, T0);
    assertThat(condition(status, "Progressing").getStatus()).isEqualTo("False");
    assertThat(condition(status, "Progressing").getReason()).isEqualTo("ProgressDeadlineExceeded");
  }

  @Test
  void keepsTransitionTimesWhileAConditionHolds() {
    DeploymentStatuses.Observed observed = new DeploymentStatuses.Observed(1, 1, 0, "m-abc", 1, 1, 1, false);
    DeploymentStatus first = DeploymentStatuses.compute(observed, null, T0);
    DeploymentStatus later = DeploymentStatuses.compute(observed, first, T0.plusSeconds(60));
    assertThat(condition(later, "Available").getLastTransitionTime()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(DeploymentStatuses.sameState(first, later)).isTrue();
  }

  private static DeploymentCondition condition(DeploymentStatus status, String type) {
    return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
  }
}
