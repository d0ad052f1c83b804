package io.modelpilot.operator.autoscaling.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelpilot.operator.autoscaling.core.Behavior.Policy;
import io.modelpilot.operator.autoscaling.core.Behavior.Rules;
import io.modelpilot.operator.autoscaling.core.Behavior.SelectPolicy;
import io.modelpilot.operator.autoscaling.core.MetricProposal.Verdict;
import io.modelpilot.operator.autoscaling.core.ScalingDecision.Limit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class AutoscalerTest {

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final Duration PERIOD = Duration.ofSeconds(60);

  /** Scale-down without a window, so that one round shows the proposal's effect. */
  private static final Behavior IMMEDIATE_DOWN =
      Behavior.defaults().withScaleDown(Rules.defaultScaleDown().withStabilizationWindow(Duration.ZERO));

  private static MetricReading rps(double total) {
    return MetricReading.perReplica("requests/s per replica", total, 50);
  }

  private static MetricReading latencyMs(double p99) {
    return MetricReading.absolute("latency p99 ms", p99, 100);
  }

  private static ScalingDecision decide(int current, int ready, MetricReading... readings) {
    return decide(current, ready, 1, 20, Behavior.defaults(), readings);
  }

  private static ScalingDecision decide(int current, int ready, int min, int max, Behavior behavior,
      MetricReading... readings) {
    return Autoscaler.decide(new ScalingInput(current, ready, min, max, List.of(readings), behavior, NOW),
        ScalingHistory.empty());
  }

  // --- the formula, the tolerance, several metrics ---

  @Test
  void scalesUpToTheLoadOverTheTargetPerReplicaAndSaysWhy() {
    ScalingDecision d = decide(2, 2, rps(162));

    assertThat(d.desiredReplicas()).isEqualTo(4);
    assertThat(d.reason()).isEqualTo("scaled 2→4: requests/s per replica 81 > 50");
    assertThat(d.metrics()).singleElement().satisfies(m -> {
      assertThat(m.current()).isEqualTo(81.0);
      assertThat(m.target()).isEqualTo(50.0);
      assertThat(m.replicas()).isEqualTo(4);
    });
    assertThat(d.metricsUnavailable()).isFalse();
    assertThat(d.limitedBy()).isEmpty();
  }

  @Test
  void ratioWithinToleranceAboveTargetChangesNothing() {
    ScalingDecision d = decide(5, 5, rps(270));

    assertThat(d.desiredReplicas()).isEqualTo(5);
    assertThat(d.reason()).isEqualTo("held at 5: within tolerance (requests/s per replica 54 ≈ 50)");
    assertThat(d.metrics().get(0).verdict()).isEqualTo(Verdict.WITHIN_TOLERANCE);
  }

  @Test
  void ratioWithinToleranceBelowTargetChangesNothingEvenWithoutAWindow() {
    ScalingDecision d = decide(5, 5, 1, 20, IMMEDIATE_DOWN, rps(230));

    assertThat(d.desiredReplicas()).isEqualTo(5);
    assertThat(d.reason()).startsWith("held at 5: within tolerance");
  }

  @Test
  void toleranceIsSetPerDirection() {
    Behavior tight = Behavior.defaults().withScaleUp(Rules.defaultScaleUp().withTolerance(0.05));

    assertThat(decide(5, 5, 1, 20, tight, rps(270)).desiredReplicas()).isEqualTo(6);
    assertThat(decide(5, 5, 1, 20, tight.withScaleDown(IMMEDIATE_DOWN.scaleDown()), rps(230)).desiredReplicas())
        .as("scale-down keeps its 0.1").isEqualTo(5);
  }

  @Test
  void absoluteMetricScalesTheReplicasByItsRatio() {
    ScalingDecision d = decide(4, 4, latencyMs(150));

    assertThat(d.desiredReplicas()).isEqualTo(6);
    assertThat(d.reason()).isEqualTo("scaled 4→6: latency p99 ms 150 > 100");
  }

  @Test
  void highestProposalWinsAcrossMetricsAndTheReasonNamesIt() {
    ScalingDecision d = decide(3, 3, rps(200), latencyMs(200));

    assertThat(d.metrics()).extracting(MetricProposal::replicas).containsExactly(4, 6);
    assertThat(d.desiredReplicas()).isEqualTo(6);
    assertThat(d.reason()).isEqualTo("scaled 3→6: latency p99 ms 200 > 100");
  }

  @Test
  void oneMetricWithinToleranceKeepsAnotherFromScalingDown() {
    ScalingDecision d = decide(4, 4, 1, 20, IMMEDIATE_DOWN, rps(40), latencyMs(95));

    assertThat(d.desiredReplicas()).isEqualTo(4);
    assertThat(d.reason()).isEqualTo("held at 4: within tolerance (latency p99 ms 95 ≈ 100)");
  }

  // --- min and max ---

  @Test
  void proposalAboveMaxReplicasStopsAtMax() {
    ScalingDecision d = decide(8, 8, 1, 10, Behavior.defaults(), rps(850));

    assertThat(d.desiredReplicas()).isEqualTo(10);
    assertThat(d.limitedBy()).containsExactly(Limit.MAX_REPLICAS);
    assertThat(d.reason()).isEqualTo(
        "scaled 8→10: requests/s per replica 106 > 50, wants 17; limited by maxReplicas");
  }

  @Test
  void atMaxReplicasItHoldsAndSaysSo() {
    ScalingDecision d = decide(10, 10, 1, 10, Behavior.defaults(), rps(850));

    assertThat(d.desiredReplicas()).isEqualTo(10);
    assertThat(d.reason()).isEqualTo("held at 10: requests/s per replica 85 > 50, wants 17; limited by maxReplicas");
  }

  @Test
  void proposalBelowMinReplicasStopsAtMin() {
    ScalingDecision d = decide(6, 6, 2, 10, IMMEDIATE_DOWN, rps(10));

    assertThat(d.desiredReplicas()).isEqualTo(2);
    assertThat(d.limitedBy()).containsExactly(Limit.MIN_REPLICAS);
  }

  @Test
  void countAboveMaxGoesStraightToMaxWhateverThePolicies() {
    ScalingDecision d = decide(30, 30, 1, 20, Behavior.defaults(), rps(3000));

    assertThat(d.desiredReplicas()).isEqualTo(20);
    assertThat(d.reason()).isEqualTo("scaled 30→20: above maxReplicas 20");
  }

  @Test
  void countBelowMinGoesStraightToMin() {
    ScalingDecision d = decide(1, 1, 3, 20, Behavior.defaults(), rps(0));

    assertThat(d.desiredReplicas()).isEqualTo(3);
    assertThat(d.reason()).isEqualTo("scaled 1→3: below minReplicas 3");
  }

  // --- pods that are not ready ---

  @Test
  void notReadyPodsCountAsIdleOnScaleUpSoItAddsLessThanNaively() {
    // 3 of 5 ready at 100 requests/s each: naive ceil(2.0 × 5) = 10; with the 2 loading pods idle, 300 / 50 = 6.
    ScalingDecision d = decide(5, 3, rps(300));

    assertThat(d.desiredReplicas()).isEqualTo(6);
    assertThat(d.metrics().get(0).summary())
        .isEqualTo("requests/s per replica 100 > 50 (2 of 5 pods not ready, counted idle)");
  }

  @Test
  void notReadyPodsCountAtTargetOnScaleDownSoItRemovesLessThanNaively() {
    // 3 of 5 ready at 10 requests/s each: naive ceil(0.2 × 5) = 1; with the 2 at target, ceil((30 + 100) / 50) = 3.
    ScalingDecision d = decide(5, 3, 1, 20, IMMEDIATE_DOWN, rps(30));

    assertThat(d.desiredReplicas()).isEqualTo(3);
    assertThat(d.metrics().get(0).summary()).endsWith("(2 of 5 pods not ready, counted at target)");
  }

  @Test
  void loadTheNotReadyPodsWillAbsorbCausesNoScaleUp() {
    // 60 per ready pod is above target, but spread over all 5 pods it is 36: no reason to add any.
    ScalingDecision d = decide(5, 3, rps(180));

    assertThat(d.desiredReplicas()).isEqualTo(5);
    assertThat(d.metrics().get(0).verdict()).isEqualTo(Verdict.HOLD);
  }

  @Test
  void podsStillLoadingTheModelWithoutLoadDoNotScaleDown() {
    ScalingDecision d = decide(3, 0, 1, 20, IMMEDIATE_DOWN, rps(0));

    assertThat(d.desiredReplicas()).isEqualTo(3);
    assertThat(d.reason()).isEqualTo("held at 3: requests/s per replica: 0 in total with no pod ready (target 50)");
  }

  @Test
  void loadWithNoPodReadyAddsOnePodAtATime() {
    assertThat(decide(3, 0, rps(500)).desiredReplicas()).isEqualTo(4);
    assertThat(decide(3, 0, rps(100)).desiredReplicas()).as("the 3 loading pods will carry 100").isEqualTo(3);
  }

  @Test
  void absoluteMetricScalesUpFromTheReadyPodsOnly() {
    assertThat(decide(4, 2, latencyMs(150)).desiredReplicas()).as("ceil(1.5 × 2) = 3 <= 4").isEqualTo(4);
    assertThat(decide(4, 3, latencyMs(200)).desiredReplicas()).as("ceil(2 × 3)").isEqualTo(6);
  }

  @Test
  void anAbsoluteReadingOverAWindowScalesTheFewestPodsReadyDuringIt() {
    // A p99 over the last 30 s, measured while 2 pods served: 3 pods that became ready 10 s ago are not in it yet.
    Duration window = Duration.ofSeconds(30);
    ScalingHistory history = Autoscaler.decide(new ScalingInput(5, 2, 1, 20, List.of(latencyMs(150)),
        Behavior.defaults(), NOW.minusSeconds(10), window), ScalingHistory.empty()).history();
    ScalingDecision d = Autoscaler.decide(
        new ScalingInput(5, 5, 1, 20, List.of(latencyMs(273)), Behavior.defaults(), NOW, window), history);

    assertThat(d.desiredReplicas()).as("ceil(2.73 × 2) = 6, not ceil(2.73 × 5) = 14").isEqualTo(6);
    assertThat(d.reason()).isEqualTo("scaled 5→6: latency p99 ms 273 > 100 (measured while 2 pods were ready)");

    // once the window has passed, the 5 ready pods are what the reading measured
    ScalingDecision later = Autoscaler.decide(new ScalingInput(6, 5, 1, 20, List.of(latencyMs(273)),
        Behavior.defaults(), NOW.plusSeconds(25), window), d.history());
    assertThat(later.metrics().get(0).replicas()).as("ceil(2.73 × 5)").isEqualTo(14);
    assertThat(later.history().readySamples()).as("only what the window covers, rising")
        .extracting(ScalingHistory.ReadySample::ready).containsExactly(5);
  }

  // --- missing data ---

  @Test
  void allMetricsMissingHoldsAndFlagsThemUnavailable() {
    ScalingDecision d = decide(3, 3, MetricReading.missing("requests/s", "Prometheus unreachable"));

    assertThat(d.desiredReplicas()).isEqualTo(3);
    assertThat(d.metricsUnavailable()).isTrue();
    assertThat(d.reason()).isEqualTo("held at 3: metrics unavailable (requests/s: Prometheus unreachable)");
    assertThat(d.metrics().get(0).replicas()).isNull();
  }

  @Test
  void someMetricsMissingNeverScaleDown() {
    ScalingDecision d =
        decide(5, 5, 1, 20, IMMEDIATE_DOWN, rps(20), MetricReading.missing("latency p99 ms", "no data"));

    assertThat(d.desiredReplicas()).isEqualTo(5);
    assertThat(d.metricsUnavailable()).isTrue();
    assertThat(d.reason()).isEqualTo("held at 5: requests/s per replica 4 < 50; metrics unavailable "
        + "(latency p99 ms: no data), so not scaling down");
    assertThat(d.history().recommendations()).as("nothing to stabilize on").isEmpty();
  }

  @Test
  void someMetricsMissingStillScaleUpOnTheOthers() {
    ScalingDecision d = decide(2, 2, rps(300), MetricReading.missing("latency p99 ms", "no data"));

    assertThat(d.desiredReplicas()).isEqualTo(6);
    assertThat(d.metricsUnavailable()).isTrue();
    assertThat(d.reason()).isEqualTo(
        "scaled 2→6: requests/s per replica 150 > 50; metrics unavailable (latency p99 ms: no data)");
  }

  @Test
  void reasonPutsTheLimitsBeforeTheMissingMetrics() {
    ScalingDecision d = decide(2, 2, rps(1000), MetricReading.missing("latency p99 ms", "no data"));

    assertThat(d.reason()).isEqualTo("scaled 2→6: requests/s per replica 500 > 50, wants 20; limited by scaleUp "
        + "policy; metrics unavailable (latency p99 ms: no data)");
  }

  @Test
  void noMetricsAtAllHolds() {
    ScalingDecision d = decide(3, 3);

    assertThat(d.desiredReplicas()).isEqualTo(3);
    assertThat(d.metricsUnavailable()).isTrue();
  }

  // --- stabilization ---

  @Test
  void scaleDownWaitsForTheHighestRecommendationInTheWindow() {
    ScalingHistory history = new ScalingHistory(
        List.of(new ScalingHistory.Recommendation(NOW.minusSeconds(200), 8)), List.of());

    ScalingDecision d = Autoscaler.decide(
        new ScalingInput(8, 8, 1, 20, List.of(rps(100)), Behavior.defaults(), NOW), history);

    assertThat(d.desiredReplicas()).isEqualTo(8);
    assertThat(d.limitedBy()).containsExactly(Limit.SCALE_DOWN_STABILIZATION);
    assertThat(d.reason()).isEqualTo(
        "held at 8: requests/s per replica 13 < 50, wants 2; limited by scaleDown stabilization");
  }

  @Test
  void scaleDownFollowsTheHighestRecommendationStillInTheWindow() {
    ScalingHistory history = new ScalingHistory(List.of(
        new ScalingHistory.Recommendation(NOW.minusSeconds(300), 8),
        new ScalingHistory.Recommendation(NOW.minusSeconds(200), 5)), List.of());

    ScalingDecision d = Autoscaler.decide(
        new ScalingInput(8, 8, 1, 20, List.of(rps(100)), Behavior.defaults(), NOW), history);

    assertThat(d.desiredReplicas()).as("8 is exactly 300 s old, out of the window").isEqualTo(5);
  }

  @Test
  void afterARestartNothingScalesDownBeforeAFullWindow() {
    ScalingHistory history = ScalingHistory.empty();
    int replicas = 8;
    for (int s = 0; s <= 300; s += 15) {
      ScalingDecision d = Autoscaler.decide(new ScalingInput(replicas, replicas, 1, 20, List.of(rps(100)),
          Behavior.defaults(), NOW.plusSeconds(s)), history);
      assertThat(d.desiredReplicas()).as("t=%d", s).isEqualTo(s < 300 ? 8 : 2);
      history = d.history();
      replicas = d.desiredReplicas();
    }
  }

  // --- rate policies ---

  @Test
  void scaleUpPicksThePolicyAllowingMoreByDefault() {
    assertThat(decide(2, 2, rps(1000)).desiredReplicas()).as("+4 pods beats +100%").isEqualTo(6);
    assertThat(decide(10, 10, 1, 50, Behavior.defaults(), rps(2000)).desiredReplicas())
        .as("+100% beats +4 pods").isEqualTo(20);
  }

  @Test
  void selectPolicyMinPicksThePolicyAllowingLess() {
    Behavior careful = Behavior.defaults().withScaleUp(Rules.defaultScaleUp().withSelectPolicy(SelectPolicy.MIN));

    ScalingDecision d = decide(10, 10, 1, 50, careful, rps(2000));

    assertThat(d.desiredReplicas()).isEqualTo(14);
    assertThat(d.limitedBy()).containsExactly(Limit.SCALE_UP_POLICY);
  }

  @Test
  void percentPolicyIsComputedExactly() {
    // HPA's float64 gives ceil(10 × 1.1) = ceil(11.000000000000002) = 12.
    Behavior tenPercent = Behavior.defaults()
        .withScaleUp(Rules.defaultScaleUp().withPolicies(List.of(Policy.percent(10, PERIOD))));

    assertThat(decide(10, 10, 1, 50, tenPercent, rps(2000)).desiredReplicas()).isEqualTo(11);
  }

  @Test
  void scaleDownPolicySelectionMaxRemovesMoreAndMinRemovesLess() {
    Rules down = new Rules(Duration.ZERO, List.of(Policy.pods(2, PERIOD), Policy.percent(50, PERIOD)),
        SelectPolicy.MAX, 0.1);

    assertThat(decide(10, 10, 1, 20, IMMEDIATE_DOWN.withScaleDown(down), rps(10)).desiredReplicas())
        .as("-50% beats -2 pods").isEqualTo(5);
    assertThat(decide(10, 10, 1, 20, IMMEDIATE_DOWN.withScaleDown(down.withSelectPolicy(SelectPolicy.MIN)),
        rps(10)).desiredReplicas()).isEqualTo(8);
  }

  @Test
  void policyPeriodCountsTheChangesAlreadyMade() {
    Behavior behavior = IMMEDIATE_DOWN.withScaleDown(new Rules(Duration.ZERO,
        List.of(Policy.pods(2, PERIOD), Policy.percent(50, PERIOD)), SelectPolicy.MAX, 0.1));
    ScalingHistory history = ScalingHistory.empty();
    int replicas = 10;
    int[] expected = {5, 5, 5, 5, 2, 2, 2, 2, 1};
    for (int i = 0; i < expected.length; i++) {
      ScalingDecision d = Autoscaler.decide(new ScalingInput(replicas, replicas, 1, 20, List.of(rps(10)),
          behavior, NOW.plusSeconds(15L * i)), history);
      assertThat(d.desiredReplicas()).as("t=%d: %s", 15 * i, d.reason()).isEqualTo(expected[i]);
      history = d.history();
      replicas = d.desiredReplicas();
    }
  }

  @Test
  void disabledScaleDownNeverScalesDown() {
    Behavior noDown = IMMEDIATE_DOWN.withScaleDown(IMMEDIATE_DOWN.scaleDown().withSelectPolicy(SelectPolicy.DISABLED));

    ScalingDecision d = decide(6, 6, 1, 20, noDown, rps(10));

    assertThat(d.desiredReplicas()).isEqualTo(6);
    assertThat(d.limitedBy()).containsExactly(Limit.SCALE_DOWN_DISABLED);
    assertThat(decide(6, 6, 1, 20, noDown, rps(1000)).desiredReplicas()).as("still scales up").isEqualTo(12);
  }

  @Test
  void disabledScaleUpNeverScalesUp() {
    Behavior noUp = Behavior.defaults().withScaleUp(Rules.defaultScaleUp().withSelectPolicy(SelectPolicy.DISABLED));

    ScalingDecision d = decide(2, 2, 1, 20, noUp, rps(1000));

    assertThat(d.desiredReplicas()).isEqualTo(2);
    assertThat(d.limitedBy()).containsExactly(Limit.SCALE_UP_DISABLED);
  }

  // --- scale to zero ---

  @Test
  void scalesToZeroOnlyWhenEveryMetricIsZero() {
    assertThat(decide(3, 3, 0, 20, IMMEDIATE_DOWN, rps(0), latencyMs(0)).desiredReplicas()).isZero();
    assertThat(decide(3, 3, 0, 20, IMMEDIATE_DOWN, rps(0), latencyMs(40)).desiredReplicas()).isEqualTo(2);
    assertThat(decide(3, 3, 1, 20, IMMEDIATE_DOWN, rps(0)).desiredReplicas()).as("minReplicas 1").isEqualTo(1);
  }

  @Test
  void scalesUpFromZeroWhenLoadArrives() {
    assertThat(decide(0, 0, 0, 20, Behavior.defaults(), rps(120)).desiredReplicas()).isEqualTo(3);
    assertThat(decide(0, 0, 0, 20, Behavior.defaults(), rps(0)).desiredReplicas()).isZero();
  }

  @Test
  void percentOnlyScaleUpPolicyStillLeavesZero() {
    Behavior percentOnly = Behavior.defaults()
        .withScaleUp(Rules.defaultScaleUp().withPolicies(List.of(Policy.percent(100, PERIOD))));

    assertThat(decide(0, 0, 0, 20, percentOnly, rps(500)).desiredReplicas()).isEqualTo(1);
  }

  // --- history ---

  @Test
  void recordsAScaleEventOnlyWhenTheCountChanges() {
    assertThat(decide(2, 2, rps(162)).history().scaleEvents())
        .containsExactly(new ScalingHistory.ScaleEvent(NOW, 2));
    assertThat(decide(5, 5, rps(270)).history().scaleEvents()).isEmpty();
  }

  @Test
  void historyRebuiltFromItsPlainValuesDecidesTheSame() {
    ScalingDecision first = decide(8, 8, rps(100));
    ScalingHistory copy = new ScalingHistory(List.copyOf(first.history().recommendations()),
        List.copyOf(first.history().scaleEvents()));
    ScalingInput next = new ScalingInput(8, 8, 1, 20, List.of(rps(90)), Behavior.defaults(), NOW.plusSeconds(15));

    assertThat(copy).isEqualTo(first.history());
    assertThat(Autoscaler.decide(next, copy)).isEqualTo(Autoscaler.decide(next, first.history()));
  }
}
