package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.modelpilot.operator.rollout.Tracks;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class PodDisruptionBudgetDependentTest {

  @Test
  void coversEveryPodOfTheModelStableAndCanaryAndLetsUnhealthyOnesGo() {
    PodDisruptionBudget pdb = PodDisruptionBudgetDependent.podDisruptionBudget(
        RuntimeDeploymentFactoryTest.cpuModel(), new IntOrString(1));

    assertThat(pdb.getMetadata().getName()).isEqualTo("fraud-detector");
    assertThat(pdb.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(pdb.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo("uid-1"));
    // no track in the selector: a canary pod counts against the same budget as a stable one
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .containsExactly(entry("modelpilot.io/deployment", "fraud-detector"));
    assertThat(pdb.getSpec().getMinAvailable()).isNull();
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
  }

  @Test
  void wantedOnlyWhenEnabledAndMoreThanOnePodIsWantedOverBothTracks() {
    assertThat(PodDisruptionBudgetDependent.wanted(true, Tracks.allStable(2))).isTrue();
    assertThat(PodDisruptionBudgetDependent.wanted(true, new Tracks(1, null, 1))).isTrue();
    assertThat(PodDisruptionBudgetDependent.wanted(true, Tracks.allStable(1))).isFalse();
    assertThat(PodDisruptionBudgetDependent.wanted(true, Tracks.allStable(0))).isFalse();
    assertThat(PodDisruptionBudgetDependent.wanted(false, Tracks.allStable(4))).isFalse();
  }

  @Test
  void maxUnavailableIsACountOrAPercentageAndAnythingElseNamesTheSetting() {
    assertThat(PodDisruptionBudgetDependent.maxUnavailable("1")).isEqualTo(new IntOrString(1));
    assertThat(PodDisruptionBudgetDependent.maxUnavailable(" 25% ")).isEqualTo(new IntOrString("25%"));
    for (String bad : new String[] {"0", "-1", "0%", "101%", "one", ""}) {
      assertThatThrownBy(() -> PodDisruptionBudgetDependent.maxUnavailable(bad))
          .as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("MODELPILOT_POD_DISRUPTION_BUDGET_MAX_UNAVAILABLE");
    }
  }
}
