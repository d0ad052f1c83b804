package io.modelpilot.operator.metrics;

import io.modelpilot.operator.metrics.PromQL.Target;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromQLTest {

  private static final Target FRAUD = Target.allTracks("ml", "fraud-detector");

  @Test
  void labelValueEscapesQuoteBackslashAndLineBreaks() {
    assertThat(PromQL.labelValue("a\"b")).isEqualTo("a\\\"b");
    assertThat(PromQL.labelValue("a\\b")).isEqualTo("a\\\\b");
    assertThat(PromQL.labelValue("line\nnext")).isEqualTo("line\\nnext");
    assertThat(PromQL.labelValue("cr\rtab\t")).isEqualTo("cr\\rtab\\t");
  }

  @Test
  void labelValueKeepsAnInjectionAttemptInsideTheString() {
    assertThat(PromQL.labelValue("\"} or vector(1) #")).isEqualTo("\\\"} or vector(1) #");
    // a trailing backslash must not escape the closing quote
    assertThat(PromQL.labelValue("ns\\")).isEqualTo("ns\\\\");
    assertThat(PromQL.labelValue("\\\"} or vector(1)")).isEqualTo("\\\\\\\"} or vector(1)");
  }

  @Test
  void labelValuePassesUnicodeThroughAndHexEscapesOtherControlCharacters() {
    assertThat(PromQL.labelValue("modèle-ünï-模型-🚀")).isEqualTo("modèle-ünï-模型-🚀");
    assertThat(PromQL.labelValue("a\u0000b\u001bc\u007f")).isEqualTo("a\\x00b\\x1bc\\x7f");
    assertThat(PromQL.labelValue("")).isEmpty();
  }

  @Test
  void regexLiteralEscapesEveryRe2MetacharacterAndThenLabelEscapes() {
    assertThat(PromQL.regexLiteral("fraud.detector")).isEqualTo("fraud\\\\.detector");
    assertThat(PromQL.regexLiteral("a+b*c?(d)|[e]{f}^$")).isEqualTo(
        "a\\\\+b\\\\*c\\\\?\\\\(d\\\\)\\\\|\\\\[e\\\\]\\\\{f\\\\}\\\\^\\\\$");
    // regex escape of the backslash, then label escape of both backslashes
    assertThat(PromQL.regexLiteral("a\\b")).isEqualTo("a\\\\\\\\b");
    assertThat(PromQL.regexLiteral("a\"b")).isEqualTo("a\\\"b");
    assertThat(PromQL.regexLiteral("plain-name_1")).isEqualTo("plain-name_1");
  }

  @Test
  void selectorSortsLabelsAndEscapesValues() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("pod", "p\"1");
    labels.put("namespace", "ns");
    assertThat(PromQL.selector("up", labels)).isEqualTo("up{namespace=\"ns\",pod=\"p\\\"1\"}");
    assertThat(PromQL.selector("job:up:sum", Map.of())).isEqualTo("job:up:sum{}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1abc", "bad-name", "a b", "a\"}", "ns=\"x\",pod", "modelpilot.io/track", "ü"})
  void selectorRejectsLabelNamesPrometheusWouldNotParse(String name) {
    assertThatThrownBy(() -> PromQL.selector("up", Map.of(name, "x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1up", "up{}", "up or vector(1)", "a-b"})
  void selectorRejectsMetricNamesPrometheusWouldNotParse(String metric) {
    assertThatThrownBy(() -> PromQL.selector(metric, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("metric name");
  }

  @Test
  void substituteReplacesPlaceholdersWithEscapedValues() {
    String query = PromQL.substitute("sum(x{namespace=\"$namespace\",d=\"${deployment}\"})",
        Map.of("namespace", "ns\"} or vector(1) #", "deployment", "a\\b"));
    assertThat(query).isEqualTo("sum(x{namespace=\"ns\\\"} or vector(1) #\",d=\"a\\\\b\"})");
  }

  @Test
  void substituteTakesTheWholeWordSoALongerPlaceholderIsNotBroken() {
    Map<String, String> both = Map.of("deployment", "d", "deploymentx", "dx");
    assertThat(PromQL.substitute("$deploymentx $deployment", both)).isEqualTo("dx d");
    assertThat(PromQL.substitute("$deploymentx/$deployment_canary", Map.of("deployment", "d")))
        .isEqualTo("$deploymentx/$deployment_canary");
    assertThat(PromQL.substitute("${deployment}x $deployment-canary", Map.of("deployment", "d")))
        .isEqualTo("dx d-canary");
  }

  @Test
  void substituteLeavesUnknownWordsAndLoneDollarsAlone() {
    assertThat(PromQL.substitute("label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\") $ $other ${other}",
        Map.of("namespace", "ns"))).isEqualTo("label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\") $ $other ${other}");
  }

  @Test
  void substituteDoesNotExpandPlaceholdersInsideSubstitutedValues() {
    assertThat(PromQL.substitute("\"$namespace\" \"$deployment\"",
        Map.of("namespace", "$deployment", "deployment", "d$1\\")))
        .isEqualTo("\"$deployment\" \"d$1\\\\\"");
  }

  @Test
  void placeholdersOfATargetIncludeTrackAndRevisionOnlyWhenSet() {
    assertThat(PromQL.placeholders(FRAUD)).containsOnlyKeys("namespace", "deployment");
    assertThat(PromQL.placeholders(FRAUD.withTrack("canary").withRevision("abc")))
        .containsEntry("track", "canary").containsEntry("revision", "abc");
  }

  @Test
  void requestsPerSecondSumsTheRateOverTheTargetsPods() {
    assertThat(PromQL.requestsPerSecond(FRAUD, "1m")).isEqualTo(
        "sum(rate(modelpilot_requests_total{modelpilot_io_deployment=\"fraud-detector\",namespace=\"ml\"}[1m]))");
  }

  @Test
  void trackAndRevisionNarrowTheSelector() {
    assertThat(PromQL.inFlight(FRAUD.withTrack("canary").withRevision("7f9c")))
        .isEqualTo("sum(modelpilot_inflight_requests{modelpilot_io_deployment=\"fraud-detector\","
            + "modelpilot_io_revision=\"7f9c\",modelpilot_io_track=\"canary\",namespace=\"ml\"})");
  }

  @Test
  void errorRateCountsClientAndServerErrorsAndAMissingSeriesAsZero() {
    assertThat(PromQL.errorRate(FRAUD, "30s")).isEqualTo(
        "(sum(rate(modelpilot_requests_total{modelpilot_io_deployment=\"fraud-detector\",namespace=\"ml\","
            + "status_class=~\"4xx|5xx\"}[30s])) or vector(0)) / "
            + "sum(rate(modelpilot_requests_total{modelpilot_io_deployment=\"fraud-detector\",namespace=\"ml\"}[30s]))");
  }

  @Test
  void latencyQuantileAggregatesBucketsByLe() {
    assertThat(PromQL.latencyQuantile(FRAUD, "1m", 0.99)).isEqualTo(
        "histogram_quantile(0.99, sum by (le) (rate(modelpilot_request_duration_seconds_bucket{"
            + "modelpilot_io_deployment=\"fraud-detector\",namespace=\"ml\"}[1m])))");
    assertThat(PromQL.latencyQuantile(FRAUD, "1m", 0.5)).startsWith("histogram_quantile(0.5, ");
    assertThat(PromQL.latencyQuantile(FRAUD, "1m", 1)).startsWith("histogram_quantile(1, ");
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.1, 1.01, Double.NaN, Double.POSITIVE_INFINITY})
  void latencyQuantileRejectsQuantilesOutsideZeroToOne(double q) {
    assertThatThrownBy(() -> PromQL.latencyQuantile(FRAUD, "1m", q)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void cpuAndAccuracyQueries() {
    assertThat(PromQL.cpuUtilization(FRAUD)).isEqualTo(
        "avg(process_cpu_usage{modelpilot_io_deployment=\"fraud-detector\",namespace=\"ml\"}) * 100");
    assertThat(PromQL.accuracy(FRAUD, "5m")).isEqualTo(
        "(sum(rate(modelpilot_feedback_total{modelpilot_io_deployment=\"fraud-detector\",namespace=\"ml\","
            + "result=\"correct\"}[5m])) or vector(0)) / "
            + "sum(rate(modelpilot_feedback_total{modelpilot_io_deployment=\"fraud-detector\",namespace=\"ml\"}[5m]))");
  }

  @Test
  void feedbackIsSelectedByThePredictingRevisionNotByTheReceivingPodsTrack() {
    Target canary = Target.allTracks("ml", "fraud-detector").withTrack("canary").withRevision("abc12");

    assertThat(PromQL.accuracy(canary, "1m")).isEqualTo(
        "(sum(rate(modelpilot_feedback_total{modelpilot_io_deployment=\"fraud-detector\",namespace=\"ml\","
            + "prediction_revision=\"abc12\",result=\"correct\"}[1m])) or vector(0)) / "
            + "sum(rate(modelpilot_feedback_total{modelpilot_io_deployment=\"fraud-detector\",namespace=\"ml\","
            + "prediction_revision=\"abc12\"}[1m]))");
    assertThat(PromQL.feedbackPerSecond(canary, "1m")).isEqualTo(
        "sum(rate(modelpilot_feedback_total{modelpilot_io_deployment=\"fraud-detector\",namespace=\"ml\","
            + "prediction_revision=\"abc12\"}[1m]))");
    assertThat(PromQL.accuracy(canary, "1m")).doesNotContain("modelpilot_io_track").doesNotContain(
        "modelpilot_io_revision");
    assertThat(PromQL.feedbackPerSecond(canary.withRevision("x\"} or vector(1)"), "1m"))
        .contains("prediction_revision=\"x\\\"} or vector(1)\"");
  }

  @Test
  void gpuUtilizationMatchesPodsByRegexEscapedDeploymentName() {
    assertThat(PromQL.gpuUtilization(Target.allTracks("ml", "fraud.v2")))
        .isEqualTo("avg(DCGM_FI_DEV_GPU_UTIL{namespace=\"ml\",pod=~\"fraud\\\\.v2-.*\"})");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1", "30", "1m]) or vector(1", "5 m", "1s1m", "-1m", "1.5m"})
  void windowsThatAreNotPrometheusDurationsAreRejected(String window) {
    assertThatThrownBy(() -> PromQL.requestsPerSecond(FRAUD, window))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duration");
  }

  @ParameterizedTest
  @ValueSource(strings = {"30s", "1m", "1h30m", "500ms", "2d", "1w", "1y"})
  void windowsInPrometheusDurationSyntaxAreAccepted(String window) {
    assertThat(PromQL.requestsPerSecond(FRAUD, window)).contains("[" + window + "]");
  }
}
