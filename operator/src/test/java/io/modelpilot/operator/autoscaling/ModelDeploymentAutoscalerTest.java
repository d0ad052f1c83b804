package io.modelpilot.operator.autoscaling;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.modelpilot.operator.api.v1alpha1.AutoscalingSpec;
import io.modelpilot.operator.api.v1alpha1.AutoscalingStatus;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentSpec;
import io.modelpilot.operator.api.v1alpha1.ScalingBehavior;
import io.modelpilot.operator.api.v1alpha1.ScalingMetric;
import io.modelpilot.operator.api.v1alpha1.ScalingRules;
import io.modelpilot.operator.metrics.MetricsWindows;
import io.modelpilot.operator.metrics.QueryResult;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The adapter: queries, the floor a canary under analysis sets, and the evaluation interval. */
class ModelDeploymentAutoscalerTest {

  private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
  private double requestsPerSecond = 10;
  private final List<String> queries = new ArrayList<>();
  private final ModelDeploymentAutoscaler autoscaler = new ModelDeploymentAutoscaler(
      url -> query -> {
        queries.add(query);
        return new QueryResult.Value(requestsPerSecond, T0);
      }, URI.create("http://prometheus:9090"), new MetricsWindows(Duration.ofSeconds(1)), false);

  @Test
  void readsOverAtLeastFourScrapeIntervals() {
    ModelDeploymentAutoscaler slowScrape = new ModelDeploymentAutoscaler(url -> query -> {
      queries.add(query);
      return new QueryResult.Value(requestsPerSecond, T0);
    }, URI.create("http://prometheus:9090"), new MetricsWindows(Duration.ofMinutes(1)), false);
    ModelDeployment md = model();
    md.getSpec().getAutoscaling().setWindow("30s");
    slowScrape.evaluate(md, 1, 1, T0);
    assertThat(queries).singleElement().asString().contains("[240s]").doesNotContain("[30s]");

    queries.clear();
    md.getSpec().getAutoscaling().setWindow("10m");
    slowScrape.evaluate(md, 1, 1, T0.plusSeconds(60));
    assertThat(queries).singleElement().asString().contains("[600s]");
  }

  @Test
  void aFloorKeepsTheCountWhileTheLoadAsksForLessAndLiftsWithIt() {
    ModelDeployment md = model();
    assertThat(autoscaler.evaluate(md, 4, 4, T0).desiredReplicas()).as("40 req/s over 10 per replica").isEqualTo(4);

    requestsPerSecond = 10; // one replica's worth
    ModelDeploymentAutoscaler.Outcome held = autoscaler.evaluate(md, 4, 4, T0.plusSeconds(5), 4);
    assertThat(held.desiredReplicas()).as("a canary under analysis: no scale-down").isEqualTo(4);

    requestsPerSecond = 60; // more load: scaling up stays allowed
    assertThat(autoscaler.evaluate(md, 4, 4, T0.plusSeconds(10), 4).desiredReplicas()).isEqualTo(6);

    requestsPerSecond = 10;
    assertThat(autoscaler.evaluate(md, 6, 6, T0.plusSeconds(15)).desiredReplicas())
        .as("without the floor the count follows the load down").isEqualTo(1);
  }

  @Test
  void aRestartedOperatorGoesOnFromTheHistoryTheStatusKept() {
    ModelDeployment md = model();
    md.getSpec().getAutoscaling().getBehavior().getScaleDown().setStabilizationWindow("60s");
    ModelDeploymentAutoscaler.Outcome four = autoscaler.evaluate(md, 1, 1, T0);
    assertThat(four.desiredReplicas()).isEqualTo(4);
    requestsPerSecond = 10; // one replica's worth from now on
    ModelDeploymentAutoscaler.Outcome held = autoscaler.evaluate(md, 4, 4, T0.plusSeconds(50));
    assertThat(held.desiredReplicas()).as("4 is still in the 60 s window").isEqualTo(4);
    keepInStatus(md, held);

    // the operator restarts (or another replica takes the lead): a new adapter, only the status is left
    ModelDeploymentAutoscaler restarted = new ModelDeploymentAutoscaler(
        url -> query -> new QueryResult.Value(requestsPerSecond, T0), URI.create("http://prometheus:9090"),
        new MetricsWindows(Duration.ofSeconds(1)), false);
    assertThat(restarted.evaluate(md, 4, 4, T0.plusSeconds(61)).desiredReplicas())
        .as("the window of the 4 has passed: down, as without the restart").isEqualTo(1);
    assertThat(autoscaler.evaluate(md, 4, 4, T0.plusSeconds(61)).desiredReplicas()).isEqualTo(1);
  }

  @Test
  void theHistoryInTheStatusIsEveryEntryOnceAndTheSameAfterTheRoundTrip() {
    ModelDeployment md = model();
    md.getSpec().getAutoscaling().getBehavior().getScaleDown().setStabilizationWindow("60s");
    ModelDeploymentAutoscaler.Outcome first = autoscaler.evaluate(md, 1, 1, T0);
    requestsPerSecond = 20;
    ModelDeploymentAutoscaler.Outcome second = autoscaler.evaluate(md, 4, 3, T0.plusMillis(5250));
    keepInStatus(md, second);
    var kept = md.getStatus().getAutoscaling().getHistory();
    assertThat(kept.getRecommendations()).anySatisfy(e -> assertThat(e).startsWith("2026-11-28T10:00:05.250Z="))
        .allSatisfy(e -> assertThat(e).matches("2026-11-28T10:00:0[0-9.]+Z=[0-9]+"));
    assertThat(kept.getScaleEvents()).contains("2026-11-28T10:00:00Z=3");
    assertThat(kept.getReadySamples()).contains("2026-11-28T10:00:05.250Z=3");
    assertThat(ModelDeploymentAutoscaler.restored(md)).isEqualTo(second.decision().history());
    assertThat(first.decision().history()).isNotEqualTo(second.decision().history());
  }

  @Test
  void forgetsModelDeploymentsThatNoLongerExist() {
    ModelDeployment gone = model();
    ModelDeployment kept = model();
    kept.getMetadata().setName("kept");
    autoscaler.evaluate(gone, 1, 1, T0);
    autoscaler.evaluate(kept, 1, 1, T0);
    autoscaler.forgetAllBut(id -> id.getName().equals("kept"));
    // within the interval: the one remembered reuses its last evaluation, the forgotten one starts afresh
    assertThat(autoscaler.evaluate(kept, 4, 4, T0.plusSeconds(1)).evaluated()).isFalse();
    assertThat(autoscaler.evaluate(gone, 4, 4, T0.plusSeconds(1)).evaluated()).isTrue();
  }

  private static void keepInStatus(ModelDeployment md, ModelDeploymentAutoscaler.Outcome outcome) {
    AutoscalingStatus status = new AutoscalingStatus();
    status.setDesiredReplicas(outcome.desiredReplicas());
    status.setHistory(ModelDeploymentAutoscaler.historyStatus(outcome.decision().history()));
    md.setStatus(new ModelDeploymentStatus());
    md.getStatus().setAutoscaling(status);
  }

  @Test
  void aPromQLMetricThatCouldReadAnotherNamespaceIsNeverSent() {
    ModelDeployment md = model();
    ScalingMetric other = new ScalingMetric();
    other.setType(ScalingMetric.Type.PROMQL);
    other.setQuery("sum(rate(payments_total{namespace=\"billing\"}[1m]))");
    other.setTargetValue(5.0);
    ScalingMetric own = new ScalingMetric();
    own.setType(ScalingMetric.Type.PROMQL);
    own.setQuery("sum(rate(queue_total{namespace=\"$namespace\"}[1m]))");
    own.setTargetValue(5.0);
    md.getSpec().getAutoscaling().setMetrics(List.of(other, own));

    ModelDeploymentAutoscaler.Outcome outcome = autoscaler.evaluate(md, 2, 2, T0);
    assertThat(queries).containsExactly("sum(rate(queue_total{namespace=\"ns\"}[1m]))");
    assertThat(outcome.decision().metricsUnavailable()).isTrue();
    assertThat(outcome.decision().reason()).contains("refused").contains("payments_total");
  }

  @Test
  void evaluatesOncePerInterval() {
    ModelDeployment md = model();
    ModelDeploymentAutoscaler.Outcome first = autoscaler.evaluate(md, 1, 1, T0);
    requestsPerSecond = 80;
    ModelDeploymentAutoscaler.Outcome early = autoscaler.evaluate(md, 1, 1, T0.plusSeconds(2));
    assertThat(first.evaluated()).isTrue();
    assertThat(early.evaluated()).isFalse();
    assertThat(early.desiredReplicas()).isEqualTo(first.desiredReplicas());
    assertThat(autoscaler.evaluate(md, 1, 1, T0.plusSeconds(5)).desiredReplicas()).isGreaterThan(1);
  }

  private ModelDeployment model() {
    requestsPerSecond = 40;
    ScalingMetric rps = new ScalingMetric();
    rps.setType(ScalingMetric.Type.REQUESTS_PER_SECOND);
    rps.setTargetPerReplica(10.0);
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setMinReplicas(1);
    autoscaling.setMaxReplicas(8);
    autoscaling.setInterval("5s");
    autoscaling.setMetrics(List.of(rps));
    ScalingRules down = new ScalingRules();
    down.setStabilizationWindow("0s");
    ScalingBehavior behavior = new ScalingBehavior();
    behavior.setScaleDown(down);
    autoscaling.setBehavior(behavior);
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    spec.setAutoscaling(autoscaling);
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName("m").withNamespace("ns").withGeneration(1L).build());
    md.setSpec(spec);
    return md;
  }
}
