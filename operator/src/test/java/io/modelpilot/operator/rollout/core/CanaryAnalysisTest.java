package io.modelpilot.operator.rollout.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelpilot.operator.rollout.core.AnalysisCheck.Kind;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class CanaryAnalysisTest {

  private static final AnalysisCheck ERRORS = AnalysisCheck.errorRate("errors", 0.01);
  private static final AnalysisCheck LATENCY = AnalysisCheck.latencyP99RatioToStable("latency", 1.5);
  private static final AnalysisCheck ACCURACY = AnalysisCheck.accuracyDropFromStable("accuracy", 0.03);

  // --- error rate: an absolute max ---

  @Test
  void errorRateBelowMaxPasses() {
    Judgement j = CanaryAnalysis.judge(ERRORS, Measurement.of(0.004, 600, 0.003, 5400));

    assertThat(j.verdict()).isEqualTo(Verdict.PASS);
    assertThat(j.value()).isEqualTo(0.004);
    assertThat(j.threshold()).isEqualTo("max 0.01");
    assertThat(j.message()).isEqualTo("error rate 0.004 ≤ 0.01");
  }

  @Test
  void errorRateSignificantlyAboveMaxFailsNamingValueAndThreshold() {
    Judgement j = CanaryAnalysis.judge(ERRORS, Measurement.of(0.05, 600, 0.003, 5400));

    assertThat(j.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(j.message()).startsWith("error rate 0.05 > 0.01 (99% lower bound 0.0")
        .endsWith(" over 600 requests)");
    assertThat(j.describe()).startsWith("errors: error rate 0.05 > 0.01");
  }

  @Test
  void errorRateAboveMaxOverFewRequestsIsInconclusiveNotFail() {
    // 1 error in 40 requests: 2.5% > 1%, but a 1% error rate gives 1 in 40 a third of the time.
    Judgement j = CanaryAnalysis.judge(ERRORS, Measurement.of(0.025, 40, 0.003, 5400));

    assertThat(j.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(j.message()).startsWith("error rate 0.025 > 0.01 but not significantly (99% lower bound ");
  }

  @Test
  void errorRateOfZeroOverTooFewRequestsDoesNotPass() {
    Judgement j = CanaryAnalysis.judge(ERRORS, Measurement.of(0.0, 12, 0.003, 5400));

    assertThat(j.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(j.message()).isEqualTo("error rate 0 over 12 requests: too few to judge (needs 30)");
  }

  @Test
  void aCanaryExactlyAtItsErrorRateLimitFailsAtMostAboutOnePercentOfAnalyses() {
    Random random = new Random(7);
    int failed = 0;
    int trials = 5000;
    for (int t = 0; t < trials; t++) {
      int errors = binomial(random, 1000, 0.01);
      if (CanaryAnalysis.judge(ERRORS, Measurement.of(errors / 1000.0, 1000, 0.01, 9000)).verdict()
          == Verdict.FAIL) {
        failed++;
      }
    }
    assertThat(failed / (double) trials).isLessThan(0.015);
  }

  // --- p99 latency ---

  @Test
  void latencyRatioToStableAboveLimitFails() {
    Judgement j = CanaryAnalysis.judge(LATENCY, Measurement.of(0.2, 600, 0.11, 5400));

    assertThat(j.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(j.value()).isCloseTo(1.818, org.assertj.core.data.Offset.offset(0.001));
    assertThat(j.threshold()).isEqualTo("maxRatioToStable 1.5");
    assertThat(j.message()).isEqualTo("p99 latency ratio to stable 1.82 (0.2s vs 0.11s) > 1.5");
  }

  @Test
  void latencyRatioWithinLimitPasses() {
    Judgement j = CanaryAnalysis.judge(LATENCY, Measurement.of(0.12, 600, 0.11, 5400));

    assertThat(j.verdict()).isEqualTo(Verdict.PASS);
    assertThat(j.message()).isEqualTo("p99 latency ratio to stable 1.09 (0.12s vs 0.11s) ≤ 1.5");
  }

  @Test
  void latencyAbsoluteMaxComparesTheValue() {
    AnalysisCheck check = AnalysisCheck.latencyP99Max("latency", 0.25);

    assertThat(CanaryAnalysis.judge(check, Measurement.of(0.31, 600, null, 0)).message())
        .isEqualTo("p99 latency 0.31s > 0.25s");
    assertThat(CanaryAnalysis.judge(check, Measurement.of(0.31, 600, null, 0)).verdict()).isEqualTo(Verdict.FAIL);
    assertThat(CanaryAnalysis.judge(check, Measurement.of(0.2, 600, null, 0)).verdict()).isEqualTo(Verdict.PASS);
  }

  @Test
  void p99OverFewerThanHundredRequestsIsInconclusive() {
    Judgement canary = CanaryAnalysis.judge(LATENCY, Measurement.of(0.5, 60, 0.11, 5400));
    Judgement stable = CanaryAnalysis.judge(LATENCY, Measurement.of(0.5, 600, 0.11, 40));

    assertThat(canary.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(canary.message()).endsWith("the canary's p99 over 60 requests is too noisy to judge (needs 100)");
    assertThat(stable.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(stable.message()).endsWith("the stable's p99 over 40 requests is too noisy to judge (needs 100)");
  }

  @Test
  void latencyRatioWithoutStableDataIsInconclusive() {
    Judgement j = CanaryAnalysis.judge(LATENCY, Measurement.of(0.2, 600, Double.NaN, 0));

    assertThat(j.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(j.message()).isEqualTo("no stable p99 latency to compare with (NaN over 0 requests)");
  }

  // --- accuracy from feedback ---

  @Test
  void accuracyDropFromStableBeyondLimitFailsWhenSignificant() {
    Judgement j = CanaryAnalysis.judge(ACCURACY, Measurement.of(0.80, 500, 0.92, 4500));

    assertThat(j.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(j.value()).isCloseTo(0.12, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(j.message()).startsWith("accuracy drop from stable 0.12 (0.8 vs 0.92) > 0.03 (99% lower bound 0.0")
        .endsWith(" over 500 vs 4500 feedback)");
  }

  @Test
  void accuracyOnAFewFeedbackRecordsIsInconclusiveNotFail() {
    // 3 right out of 5 is 60% against stable's 92%, yet 5 records cannot tell a 3-point drop from none.
    Judgement j = CanaryAnalysis.judge(ACCURACY, Measurement.of(0.6, 5, 0.92, 4500));

    assertThat(j.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(j.message()).contains("but not significantly");
  }

  @Test
  void accuracyWithinDropPassesOnlyOverEnoughFeedback() {
    assertThat(CanaryAnalysis.judge(ACCURACY, Measurement.of(0.91, 300, 0.92, 4500)).verdict())
        .isEqualTo(Verdict.PASS);
    Judgement few = CanaryAnalysis.judge(ACCURACY, Measurement.of(1.0, 4, 0.92, 4500));
    assertThat(few.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(few.message()).endsWith("over 4 vs 4500 feedback: too few to judge (needs 30 each)");
  }

  @Test
  void accuracyAbsoluteMinUsesTheUpperBound() {
    AnalysisCheck check = AnalysisCheck.accuracyMin("accuracy", 0.9);

    assertThat(CanaryAnalysis.judge(check, Measurement.of(0.95, 200, null, 0)).verdict()).isEqualTo(Verdict.PASS);
    assertThat(CanaryAnalysis.judge(check, Measurement.of(0.7, 400, null, 0)).verdict()).isEqualTo(Verdict.FAIL);
    assertThat(CanaryAnalysis.judge(check, Measurement.of(0.8, 10, null, 0)).verdict())
        .isEqualTo(Verdict.INCONCLUSIVE);
  }

  @Test
  void aCanaryExactlyAtItsAccuracyDropLimitFailsAtMostAboutOnePercentOfAnalyses() {
    Random random = new Random(11);
    int failed = 0;
    int trials = 5000;
    for (int t = 0; t < trials; t++) {
      double canary = binomial(random, 300, 0.87) / 300.0;
      double stable = binomial(random, 2700, 0.90) / 2700.0;
      if (CanaryAnalysis.judge(ACCURACY, Measurement.of(canary, 300, stable, 2700)).verdict() == Verdict.FAIL) {
        failed++;
      }
    }
    assertThat(failed / (double) trials).isLessThan(0.015);
  }

  // --- PromQL, no data, several thresholds ---

  @Test
  void promqlComparesWithMinAndMaxAndTheWorstCounts() {
    AnalysisCheck range = AnalysisCheck.promql("queue", 1.0, 3.0);

    assertThat(CanaryAnalysis.judge(range, Measurement.of(2.0, 0, null, 0)).verdict()).isEqualTo(Verdict.PASS);
    Judgement high = CanaryAnalysis.judge(range, Measurement.of(3.2, 0, null, 0));
    assertThat(high.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(high.threshold()).isEqualTo("max 3");
    assertThat(high.message()).isEqualTo("value 3.2 > 3");
    assertThat(CanaryAnalysis.judge(range, Measurement.of(0.5, 0, null, 0)).message()).isEqualTo("value 0.5 < 1");
  }

  @Test
  void unreachablePrometheusIsInconclusiveAndSaysWhy() {
    Judgement j = CanaryAnalysis.judge(LATENCY, Measurement.unavailable("Prometheus unreachable: connect timed out"));

    assertThat(j.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(j.value()).isNull();
    assertThat(j.threshold()).isEqualTo("maxRatioToStable 1.5");
    assertThat(j.message()).isEqualTo("no measurement: Prometheus unreachable: connect timed out");
  }

  @Test
  void noDataIsInconclusiveForEveryKind() {
    Measurement none = Measurement.of(null, 0, null, 0);
    for (AnalysisCheck check : List.of(ERRORS, LATENCY, ACCURACY, AnalysisCheck.promql("q", null, 1.0))) {
      assertThat(CanaryAnalysis.judge(check, none).verdict()).as(check.name()).isEqualTo(Verdict.INCONCLUSIVE);
    }
    assertThat(CanaryAnalysis.judge(ERRORS, Measurement.of(Double.NaN, 600, 0.0, 600)).message())
        .isEqualTo("no error rate data for the canary (NaN over 600 requests)");
  }

  @Test
  void anAnalysisIsAsBadAsItsWorstMetric() {
    Judgement pass = CanaryAnalysis.judge(ERRORS, Measurement.of(0.0, 600, 0.0, 600));
    Judgement unsure = CanaryAnalysis.judge(ERRORS, Measurement.unavailable("no series"));
    Judgement fail = CanaryAnalysis.judge(LATENCY, Measurement.of(0.5, 600, 0.1, 600));

    assertThat(CanaryAnalysis.verdict(List.of())).isEqualTo(Verdict.PASS);
    assertThat(CanaryAnalysis.verdict(List.of(pass, unsure))).isEqualTo(Verdict.INCONCLUSIVE);
    assertThat(CanaryAnalysis.verdict(List.of(unsure, fail, pass))).isEqualTo(Verdict.FAIL);
  }

  // --- checks and bounds ---

  @Test
  void checksTakeOnlyTheirKindsThresholds() {
    assertThatThrownBy(() -> new AnalysisCheck("errors", Kind.ERROR_RATE, null, 0.1, null, null))
        .hasMessage("check 'errors' (ERROR_RATE) does not take min; it takes max");
    assertThatThrownBy(() -> new AnalysisCheck("latency", Kind.LATENCY_P99, null, null, null, null))
        .hasMessage("check 'latency' (LATENCY_P99) needs one of max, maxRatioToStable");
    assertThatThrownBy(() -> AnalysisCheck.accuracyDropFromStable("accuracy", 3))
        .hasMessage("check 'accuracy' (ACCURACY): maxDropFromStable is a fraction 0..1, got 3.0");
    assertThatThrownBy(() -> AnalysisCheck.promql("q", 2.0, 1.0))
        .hasMessage("check 'q' (PROMQL): min 2.0 > max 1.0");
  }

  @Test
  void wilsonAndNewcombeBoundsMatchPublishedValues() {
    double z95 = 1.959964;
    // Newcombe (1998), Statistics in Medicine 17:873, table II: 0/10 -> Wilson 0 to 0.2775.
    assertThat(Proportions.wilsonUpper(0, 10, z95)).isCloseTo(0.2775, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(Proportions.wilsonLower(0, 10, z95)).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-12));
    // Newcombe (1998), Statistics in Medicine 17:890, example (a): 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    assertThat(Proportions.differenceLower(56 / 70.0, 70, 48 / 80.0, 80, z95))
        .isCloseTo(0.0524, org.assertj.core.data.Offset.offset(1e-4));
  }

  private static int binomial(Random random, int n, double p) {
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (random.nextDouble() < p) {
        k++;
      }
    }
    return k;
  }
}
