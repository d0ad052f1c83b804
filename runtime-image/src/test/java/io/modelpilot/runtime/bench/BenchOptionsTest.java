package io.modelpilot.runtime.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.modelpilot.runtime.bench.Bench.Options;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bench.Options.parse is package-private, hence this package. */
class BenchOptionsTest {

  @Test
  void defaults() {
    Options o = Options.parse();

    assertThat(o.concurrency()).isEqualTo(4);
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(3));
    assertThat(o.batch()).isEqualTo(1);
    assertThat(o.output()).isEqualTo(Path.of(System.getenv().getOrDefault("MODELPILOT_TERMINATION_MESSAGE_PATH",
        "/dev/termination-log")));
  }

  @Test
  void everyOption() {
    Options o = Options.parse("--concurrency", "16", "--duration", "1m30s", "--warmup", "500ms", "--batch", "8",
        "--output", "/tmp/bench.json");

    assertThat(o).isEqualTo(new Options(16, Duration.ofSeconds(90), Duration.ofMillis(500), 8,
        Path.of("/tmp/bench.json")));
  }

  @Test
  void eachOptionAlone() {
    assertThat(Options.parse("--concurrency", "2").concurrency()).isEqualTo(2);
    assertThat(Options.parse("--duration", "10s").duration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(Options.parse("--warmup", "0s").warmup()).isZero();
    assertThat(Options.parse("--batch", "32").batch()).isEqualTo(32);
    assertThat(Options.parse("--output", "out.json").output()).isEqualTo(Path.of("out.json"));
  }

  @Test
  void theLastOfARepeatedOptionWins() {
    assertThat(Options.parse("--batch", "2", "--batch", "3").batch()).isEqualTo(3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"--threads", "--Concurrency", "concurrency", "-c", "--", "--output-dir"})
  void rejectsUnknownOptions(String option) {
    assertThatThrownBy(() -> Options.parse(option, "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + option + "'")
        .hasMessageContaining("--concurrency");
  }

  @Test
  void rejectsAnOptionWithoutItsValue() {
    assertThatThrownBy(() -> Options.parse("--batch", "2", "--duration"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'--duration'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "-100", "two", "1.5", "", "99999999999"})
  void rejectsConcurrencyThatIsNotAPositiveInteger(String value) {
    assertThatThrownBy(() -> Options.parse("--concurrency", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--concurrency")
        .hasMessageContaining("positive");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "x"})
  void rejectsBatchThatIsNotAPositiveInteger(String value) {
    assertThatThrownBy(() -> Options.parse("--batch", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--batch")
        .hasMessageContaining("positive");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--duration", "--warmup"})
  void rejectsABadDurationNamingTheOption(String option) {
    assertThatThrownBy(() -> Options.parse(option, "30"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(option);
  }
}
