package io.modelpilot.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "2ms,        2000000",
      "500us,      500000",
      "500\u00b5s, 500000",   // micro sign
      "500\u03bcs, 500000",   // Greek mu
      "1.5s,       1500000000",
      "1m30s,      90000000000",
      "0ms,        0",
      "0s,         0",
      "750ns,      750",
      "1h,         3600000000000",
      "1h2m3s4ms,  3723004000000",
      "0.5ms,      500000",
      "2.5us,      2500",
  })
  void parsesGoDurations(String text, long nanos) {
    assertThat(Durations.parse("MODELPILOT_MAX_QUEUE_DELAY", text)).isEqualTo(Duration.ofNanos(nanos));
  }

  @Test
  void surroundingWhitespaceIsIgnored() {
    assertThat(Durations.parse("X", " 2ms ")).isEqualTo(Duration.ofMillis(2));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"2 seconds", "", "10", " ", "ms", "2", "-1s", "2sec", "1.s", "s2", "2MS", "1d", "PT2S", "2ms3"})
  @NullSource
  void rejectsWithAMessageNamingTheSetting(String text) {
    assertThatThrownBy(() -> Durations.parse("MODELPILOT_MAX_QUEUE_DELAY", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MODELPILOT_MAX_QUEUE_DELAY")
        .hasMessageContaining(String.valueOf(text));
  }
}
