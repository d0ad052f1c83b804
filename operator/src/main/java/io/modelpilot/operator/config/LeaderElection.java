package io.modelpilot.operator.config;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Leader election for the Quarkus Operator SDK, which looks this bean up and, in the prod profile, elects over a
 * coordination.k8s.io Lease. Every replica starts its informers (its caches are warm and it reports ready, so a
 * rolling update proceeds); only the leader processes events. A follower takes over once the Lease has not been
 * renewed for its duration (15 s unless MODELPILOT_LEADER_ELECTION_LEASE_DURATION says otherwise).
 *
 * <p>A leader that loses the Lease exits (status 1) rather than reconcile beside the new leader, and its pod
 * restarts as a follower. The exit runs on a thread of its own: JOSDK 5.3's own exit
 * ({@code exitOnStopLeading}) also fires when Quarkus stops the operator from the JVM's shutdown hook, where
 * {@code System.exit} on the hook's thread deadlocks (java-operator-sdk#1614, #3376) and the pod hangs until it
 * is killed.
 */
public class LeaderElection {

  private static final Logger LOG = Logger.getLogger(LeaderElection.class);

  @Produces
  @Dependent
  @Unremovable
  LeaderElectionConfiguration leaderElection(OperatorSettings settings) {
    if (!settings.leaderElection().enabled()) {
      LOG.info("leader election is off (MODELPILOT_LEADER_ELECTION_ENABLED=false): run one replica only");
      return null;
    }
    return configuration(settings.leaderElection(), LeaderElection::exitOnLostLease,
        Timing.of(settings.leaderElection()));
  }

  /** How long a Lease lasts unrenewed, how long a leader tries to renew it, how often replicas try. */
  public record Timing(Duration lease, Duration renewDeadline, Duration retryPeriod) {
    /** JOSDK's (and client-go's): 15 s, 10 s, 2 s. */
    public static final Timing DEFAULT = new Timing(LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE);

    /** fabric8's LeaderElector waits up to this many retry periods more than one between tries. */
    private static final double JITTER_FACTOR = 1.2;

    /**
     * The settings' timing, checked as fabric8's LeaderElector checks it, but with a message that names the
     * settings (the operator would otherwise stop at start with "renewDeadline must be greater than ...").
     *
     * @throws IllegalArgumentException naming the settings and the rule they break
     */
    public static Timing of(OperatorSettings.LeaderElection settings) {
      Timing timing = new Timing(settings.leaseDuration(), settings.renewDeadline(), settings.retryPeriod());
      if (timing.retryPeriod.isNegative() || timing.retryPeriod.isZero()) {
        throw invalid("MODELPILOT_LEADER_ELECTION_RETRY_PERIOD must be above 0", timing);
      }
      if (timing.renewDeadline.compareTo(timing.lease) >= 0) {
        throw invalid("MODELPILOT_LEADER_ELECTION_RENEW_DEADLINE must be below "
            + "MODELPILOT_LEADER_ELECTION_LEASE_DURATION (a leader must give up before another replica may take the "
            + "Lease)", timing);
      }
      Duration jittered = timing.retryPeriod.plusMillis((long) (timing.retryPeriod.toMillis() * JITTER_FACTOR));
      if (timing.renewDeadline.compareTo(jittered) <= 0) {
        throw invalid("MODELPILOT_LEADER_ELECTION_RENEW_DEADLINE must be above 2.2 times "
            + "MODELPILOT_LEADER_ELECTION_RETRY_PERIOD (a leader must get more than one try, with jitter, to renew)",
            timing);
      }
      return timing;
    }

    private static IllegalArgumentException invalid(String rule, Timing timing) {
      return new IllegalArgumentException("leader election: " + rule + "; got lease duration " + timing.lease
          + ", renew deadline " + timing.renewDeadline + ", retry period " + timing.retryPeriod);
    }
  }

  /**
   * The configuration the settings ask for.
   *
   * @param onStopLeading what a leader does when it stops leading (in production: exit); JOSDK's own exit is off
   */
  public static LeaderElectionConfiguration configuration(OperatorSettings.LeaderElection settings,
      Runnable onStopLeading, Timing timing) {
    String identity = settings.identity().orElseGet(LeaderElection::defaultIdentity);
    return new LeaderElectionConfiguration(settings.leaseName(), settings.leaseNamespace().orElse(null),
        timing.lease(), timing.renewDeadline(), timing.retryPeriod(), identity,
        new LeaderCallbacks(() -> LOG.infof("%s leads: reconciling", identity), onStopLeading,
            leader -> LOG.infof("the leader is %s", leader)),
        false);
  }

  private static void exitOnLostLease() {
    LOG.warn("stopped leading: exiting, so that only the new leader reconciles");
    Thread exit = new Thread(() -> System.exit(1), "leader-lost-exit");
    exit.setDaemon(true);
    exit.start();
  }

  /**
   * The pod's name (its host name) and a random suffix: two processes on one host (the local cluster, a restart
   * that overlaps the old process) must never share an identity, or both would believe they hold the Lease.
   */
  static String defaultIdentity() {
    String host = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElse("modelpilot");
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
