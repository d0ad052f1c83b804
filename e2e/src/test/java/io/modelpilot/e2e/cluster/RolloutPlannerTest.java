package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.modelpilot.e2e.cluster.RolloutPlanner.PodView;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RolloutPlannerTest {

  @Test
  void startsTheMissingPodsOfANewDeployment() {
    assertThat(RolloutPlanner.plan(false, 2, 1, 0, List.of(), 0)).isEqualTo(new RolloutPlanner.Plan(2, List.of()));
  }

  @Test
  void scalesDownUnreadyThenNewestPodsFirst() {
    List<PodView> pods = List.of(new PodView("a", true, true, 1), new PodView("b", true, false, 2),
        new PodView("c", true, true, 3), new PodView("d", true, true, 4));
    assertThat(RolloutPlanner.plan(false, 2, 1, 0, pods, 0).stop()).containsExactly("b", "d");
  }

  @Test
  void rollingUpdateWithMaxUnavailableZeroStopsAnOldPodOnlyOnceANewOneIsReady() {
    List<PodView> start = List.of(new PodView("old1", false, true, 1), new PodView("old2", false, true, 2));
    assertThat(RolloutPlanner.plan(false, 2, 1, 0, start, 0)).isEqualTo(new RolloutPlanner.Plan(1, List.of()));

    List<PodView> newNotReady = List.of(start.get(0), start.get(1), new PodView("new1", true, false, 3));
    assertThat(RolloutPlanner.plan(false, 2, 1, 0, newNotReady, 0)).isEqualTo(RolloutPlanner.Plan.NOTHING);

    List<PodView> newReady = List.of(start.get(0), start.get(1), new PodView("new1", true, true, 3));
    assertThat(RolloutPlanner.plan(false, 2, 1, 0, newReady, 0)).isEqualTo(new RolloutPlanner.Plan(0, List.of("old2")));

    List<PodView> oneOldLeft = List.of(start.get(0), new PodView("new1", true, true, 3));
    assertThat(RolloutPlanner.plan(false, 2, 1, 0, oneOldLeft, 1)).isEqualTo(new RolloutPlanner.Plan(1, List.of()));
  }

  @Test
  void crashingOldPodsGoFirstButNeverBelowTheReadyMinimum() {
    List<PodView> pods = List.of(new PodView("old1", false, false, 1), new PodView("old2", false, false, 2),
        new PodView("new1", true, true, 3));
    assertThat(RolloutPlanner.plan(false, 2, 1, 0, pods, 0).stop()).containsExactly("old2");
  }

  @Test
  void aNewRevisionThatNeverGetsReadyLeavesTheOldPodsServing() {
    List<PodView> pods = List.of(new PodView("old1", false, true, 1), new PodView("old2", false, true, 2),
        new PodView("new1", true, false, 3));
    assertThat(RolloutPlanner.plan(false, 2, 1, 0, pods, 0)).isEqualTo(RolloutPlanner.Plan.NOTHING);
  }

  @Test
  void recreateStopsEveryOldPodBeforeStartingNewOnes() {
    List<PodView> pods = List.of(new PodView("old1", false, true, 1), new PodView("old2", false, true, 2));
    RolloutPlanner.Plan plan = RolloutPlanner.plan(true, 2, 0, 2, pods, 0);
    assertThat(plan.start()).isZero();
    assertThat(plan.stop()).containsExactlyInAnyOrder("old1", "old2");
    assertThat(RolloutPlanner.plan(true, 2, 0, 2, List.of(), 2)).isEqualTo(RolloutPlanner.Plan.NOTHING);
    assertThat(RolloutPlanner.plan(true, 2, 0, 2, List.of(), 0)).isEqualTo(new RolloutPlanner.Plan(2, List.of()));
  }

  @Test
  void resolvesPercentagesLikeKubernetes() {
    assertThat(RolloutPlanner.resolve(null, 2, true)).isEqualTo(1);
    assertThat(RolloutPlanner.resolve(null, 2, false)).isZero();
    assertThat(RolloutPlanner.resolve(new IntOrString("25%"), 10, true)).isEqualTo(3);
    assertThat(RolloutPlanner.resolve(new IntOrString(0), 10, false)).isZero();
  }
}
