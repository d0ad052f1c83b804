package io.modelpilot.operator.autoscaling.core;

import io.modelpilot.operator.common.Numbers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MetricReadingTest {

  @Test
  void nanFromPrometheusIsNoData() {
    assertThat(MetricReading.absolute("latency p99 ms", Double.NaN, 100))
        .isEqualTo(new MetricReading.Missing("latency p99 ms", "no data (NaN)"));
  }

  @Test
  void negativeValueIsNoData() {
    assertThat(MetricReading.perReplica("queue", -3, 1)).isInstanceOf(MetricReading.Missing.class);
  }

  @Test
  void targetMustBePositive() {
    assertThatThrownBy(() -> MetricReading.perReplica("requests/s", 10, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
  }

  @Test
  void numbersInReasonsAreRoundedToWhatAReaderCompares() {
    assertThat(Numbers.format(80.6)).isEqualTo("81");
    assertThat(Numbers.format(5.714)).isEqualTo("5.7");
    assertThat(Numbers.format(9.96)).isEqualTo("10");
    assertThat(Numbers.format(0.7)).isEqualTo("0.7");
    assertThat(Numbers.format(0.12345)).isEqualTo("0.12");
    assertThat(Numbers.format(0)).isEqualTo("0");
    assertThat(Numbers.format(1234.4)).isEqualTo("1234");
  }

  @Test
  void wholeReplicaCountsSurviveFloatingPointNoise() {
    assertThat(Numbers.ceil(0.1 * 3 / 0.1)).isEqualTo(3);
    assertThat(Numbers.ceil(3.01)).isEqualTo(4);
  }
}
