package io.modelpilot.runtime.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.modelpilot.runtime.config.RuntimeSettings;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ServerMetricsTest {

  @Test
  void nonFinitePredictionsNeverPoisonTheScoreSum() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ServerMetrics metrics = new ServerMetrics(registry, settings());

    metrics.predictions(List.of(new Predictions.Row(null, 0.25), new Predictions.Row(null, Double.POSITIVE_INFINITY),
        new Predictions.Row(null, Double.NaN), new Predictions.Row(null, Double.NEGATIVE_INFINITY),
        new Predictions.Row(null, 0.5)));

    var summary = registry.get(ServerMetrics.PREDICTION_SCORE).summary();
    assertThat(summary.count()).isEqualTo(2);
    assertThat(summary.totalAmount()).isEqualTo(0.75);
  }

  @Test
  void feedbackIsCountedByPredictionRevisionWithABoundedNumberOfSeries() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ServerMetrics metrics = new ServerMetrics(registry, settings());

    metrics.feedback(true, "canary-rev");
    metrics.feedback(false, "canary-rev");
    metrics.feedback(true, "stable-rev");
    metrics.feedbackError(0.5, "stable-rev");
    for (int i = 0; i < ServerMetrics.MAX_PREDICTION_REVISIONS + 5; i++) {
      metrics.feedback(true, "r" + i);
    }

    assertThat(registry.get(ServerMetrics.FEEDBACK).tags("result", "correct", "prediction_revision", "canary-rev")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get(ServerMetrics.FEEDBACK).tags("result", "incorrect", "prediction_revision", "canary-rev")
        .counter().count()).isEqualTo(1);
    assertThat(registry.get(ServerMetrics.FEEDBACK_ERROR).tag("prediction_revision", "stable-rev").summary()
        .totalAmount()).isEqualTo(0.5);
    assertThat(registry.get(ServerMetrics.FEEDBACK).counters().stream()
        .map(c -> c.getId().getTag("prediction_revision")).distinct().count())
        .isEqualTo(ServerMetrics.MAX_PREDICTION_REVISIONS + 1); // and "other"
    assertThat(registry.get(ServerMetrics.FEEDBACK).tag("prediction_revision", "other").counter().count())
        .isEqualTo(7);
  }

  /** Defaults, metrics on: the settings the constructor reads. */
  private static RuntimeSettings settings() {
    return (RuntimeSettings) Proxy.newProxyInstance(RuntimeSettings.class.getClassLoader(),
        new Class<?>[] {RuntimeSettings.class}, (proxy, method, args) -> switch (method.getName()) {
          case "metricsEnabled" -> true;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
