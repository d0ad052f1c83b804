package io.modelpilot.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Lease timing comes from the settings (MODELPILOT_LEADER_ELECTION_*), with client-go's defaults. */
class LeaderElectionTimingTest {

  @Test
  void theDefaultsAreClientGosAndJosdks() {
    assertThat(LeaderElection.Timing.of(settings(Map.of()))).isEqualTo(LeaderElection.Timing.DEFAULT)
        .isEqualTo(new LeaderElection.Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)));
  }

  @Test
  void theSettingsShortenTheLeaseAndJosdkGetsThem() {
    OperatorSettings.LeaderElection settings = settings(Map.of(
        "modelpilot.leader-election.lease-duration", "8s",
        "modelpilot.leader-election.renew-deadline", "6s",
        "modelpilot.leader-election.retry-period", "1s"));

    LeaderElectionConfiguration configuration = LeaderElection.configuration(settings, () -> { },
        LeaderElection.Timing.of(settings));

    assertThat(configuration.getLeaseDuration()).isEqualTo(Duration.ofSeconds(8));
    assertThat(configuration.getRenewDeadline()).isEqualTo(Duration.ofSeconds(6));
    assertThat(configuration.getRetryPeriod()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aRenewDeadlineNotBelowTheLeaseDurationIsRefusedNamingBothSettings() {
    OperatorSettings.LeaderElection settings = settings(Map.of(
        "modelpilot.leader-election.lease-duration", "5s",
        "modelpilot.leader-election.renew-deadline", "5s"));

    assertThatThrownBy(() -> LeaderElection.Timing.of(settings)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MODELPILOT_LEADER_ELECTION_RENEW_DEADLINE must be below "
            + "MODELPILOT_LEADER_ELECTION_LEASE_DURATION")
        .hasMessageContaining("renew deadline PT5S");
  }

  @Test
  void aRenewDeadlineWithoutRoomForASecondTryIsRefused() {
    // fabric8's LeaderElector needs renewDeadline > retryPeriod * 2.2; it would stop the operator with its own words
    OperatorSettings.LeaderElection settings = settings(Map.of(
        "modelpilot.leader-election.renew-deadline", "4s",
        "modelpilot.leader-election.retry-period", "2s"));

    assertThatThrownBy(() -> LeaderElection.Timing.of(settings)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MODELPILOT_LEADER_ELECTION_RENEW_DEADLINE must be above 2.2 times "
            + "MODELPILOT_LEADER_ELECTION_RETRY_PERIOD");
  }

  @Test
  void aRetryPeriodOfZeroIsRefused() {
    OperatorSettings.LeaderElection settings = settings(Map.of("modelpilot.leader-election.retry-period", "0s"));

    assertThatThrownBy(() -> LeaderElection.Timing.of(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MODELPILOT_LEADER_ELECTION_RETRY_PERIOD must be above 0");
  }

  /** The settings as Quarkus maps them from these properties (durations written as in the environment: 8s). */
  private static OperatorSettings.LeaderElection settings(Map<String, String> properties) {
    SmallRyeConfig config = new SmallRyeConfigBuilder()
        .withConverter(Duration.class, 200, new DurationConverter())
        .withSources(new PropertiesConfigSource(properties, "test", 500))
        .withMapping(OperatorSettings.class)
        .build();
    return config.getConfigMapping(OperatorSettings.class).leaderElection();
  }
}
