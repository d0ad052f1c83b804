package io.modelpilot.operator.autoscaling;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.modelpilot.operator.api.v1alpha1.AutoscalingSpec;
import io.modelpilot.operator.api.v1alpha1.AutoscalingStatus;
import io.modelpilot.contract.Durations;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ScalingMetric;
import io.modelpilot.operator.api.v1alpha1.ScalingRules;
import io.modelpilot.operator.metrics.MetricsWindows;
import io.modelpilot.operator.metrics.NamespaceGuard;
import io.modelpilot.operator.metrics.PromQL;
import io.modelpilot.operator.metrics.PrometheusClient;
import io.modelpilot.operator.metrics.QueryResult;
import io.modelpilot.operator.autoscaling.core.Autoscaler;
import io.modelpilot.operator.autoscaling.core.Behavior;
import io.modelpilot.operator.autoscaling.core.MetricReading;
import io.modelpilot.operator.autoscaling.core.ScalingDecision;
import io.modelpilot.operator.autoscaling.core.ScalingHistory;
import io.modelpilot.operator.autoscaling.core.ScalingInput;

import io.modelpilot.operator.status.Announcement;
import io.modelpilot.operator.status.Reasons;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The adapter around {@link Autoscaler}: turns spec.autoscaling into queries and readings, asks
 * the pure core, and keeps each ModelDeployment's recommendation history between evaluations: in
 * memory, and in status.autoscaling.history, from which a restarted operator (or a new leader) goes on
 * where the last one stood. The memory of a deleted ModelDeployment goes with the next reconcile of any.
 */
public class ModelDeploymentAutoscaler {

  /** What the reconciler needs from one evaluation (or from the last one while none is due). */
  public record Outcome(int desiredReplicas, ScalingDecision decision, boolean evaluated, Instant evaluatedAt,
      Duration nextEvaluationIn) {

    /** A Scaled Event when this evaluation changed the count. */
    public Optional<Announcement> event() {
      return evaluated && decision.scaled() ? Optional.of(Announcement.normal(Reasons.SCALED, decision.reason()))
          : Optional.empty();
    }
  }

  private record State(ScalingHistory history, ScalingDecision last, Instant evaluatedAt, long generation) {
  }

  private static final Logger LOG = Logger.getLogger(ModelDeploymentAutoscaler.class);

  private final Function<URI, PrometheusClient> prometheus;
  private final URI defaultPrometheus;
  private final MetricsWindows windows;
  private final boolean queriesMayReadOtherNamespaces;
  private final Map<ResourceID, State> states = new ConcurrentHashMap<>();

  /**
   * @param queriesMayReadOtherNamespaces the platform lets PromQL metrics read other namespaces' series; otherwise
   *     a query without {@code namespace="<its namespace>"} on every selector is refused ({@link NamespaceGuard})
   */
  public ModelDeploymentAutoscaler(Function<URI, PrometheusClient> prometheus, URI defaultPrometheus,
      MetricsWindows windows, boolean queriesMayReadOtherNamespaces) {
    this.prometheus = prometheus;
    this.defaultPrometheus = defaultPrometheus;
    this.windows = windows;
    this.queriesMayReadOtherNamespaces = queriesMayReadOtherNamespaces;
  }

  /** spec.autoscaling.window, raised to the shortest window that holds enough scrapes. */
  public static Duration window(AutoscalingSpec spec, MetricsWindows windows) {
    return windows.effective(Durations.parse(spec.windowOrDefault()));
  }

  /**
   * The outcome for the stable Deployment (and the canary's, while one is analysed), or null without
   * spec.autoscaling. Evaluates only when an interval is due. While a canary is analysed, the total may grow but
   * not shrink: the floor is the count it had, and both tracks' ready pods serve the load the metrics measure.
   */
  public Outcome evaluate(ModelDeployment md, Deployment stable, Deployment canary, boolean canaryUnderAnalysis,
      Instant now) {
    if (md.getSpec().getAutoscaling() == null) {
      forget(md);
      return null;
    }
    Integer previousTotal = md.getStatus() == null || md.getStatus().getAutoscaling() == null ? null
        : md.getStatus().getAutoscaling().getDesiredReplicas();
    Integer replicas = canaryUnderAnalysis && previousTotal != null ? previousTotal
        : stable == null ? null : stable.getSpec().getReplicas();
    int ready = readyReplicas(stable);
    if (canaryUnderAnalysis) {
      ready = Math.min(ready + readyReplicas(canary), replicas == null ? ready : replicas);
    }
    Outcome outcome = evaluate(md, replicas, ready, now, canaryUnderAnalysis && replicas != null ? replicas : 0);
    if (outcome.evaluated() && !outcome.decision().scaled()) {
      LOG.debug(outcome.decision().reason());
    }
    return outcome;
  }

  private static int readyReplicas(Deployment d) {
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
        : d.getStatus().getReadyReplicas();
  }

  /**
   * @param currentReplicas what the Deployment asks for now (its spec.replicas), or null before it exists
   * @param readyReplicas its ready pods
   */
  public Outcome evaluate(ModelDeployment md, Integer currentReplicas, int readyReplicas, Instant now) {
    return evaluate(md, currentReplicas, readyReplicas, now, 0);
  }

  /** @param floor a lower bound above minReplicas for now (a canary under analysis holds the count it had) */
  public Outcome evaluate(ModelDeployment md, Integer currentReplicas, int readyReplicas, Instant now, int floor) {
    AutoscalingSpec spec = md.getSpec().getAutoscaling();
    int min = spec.minReplicasOrDefault();
    min = Math.min(Math.max(min, floor), spec.getMaxReplicas());
    int max = spec.getMaxReplicas();
    Duration interval = Durations.parse(spec.intervalOrDefault());
    ResourceID id = ResourceID.fromResource(md);
    State state = states.get(id);
    long generation = md.getMetadata().getGeneration() == null ? 0 : md.getMetadata().getGeneration();
    int current = currentReplicas != null ? currentReplicas : initialReplicas(md, min, max);

    boolean due = state == null || state.generation() != generation
        || !now.isBefore(state.evaluatedAt().plus(interval));
    if (!due) {
      Duration next = Duration.between(now, state.evaluatedAt().plus(interval));
      return new Outcome(Math.max(min, Math.min(max, state.last().desiredReplicas())), state.last(), false,
          state.evaluatedAt(), next);
    }
    List<MetricReading> readings = readings(md, spec);
    ScalingHistory history = state == null ? restored(md) : state.history();
    ScalingDecision decision = Autoscaler.decide(
        new ScalingInput(current, readyReplicas, min, max, readings, behavior(spec), now,
            window(spec, windows)), history);
    states.put(id, new State(decision.history(), decision, now, generation));
    return new Outcome(decision.desiredReplicas(), decision, true, now, interval);
  }

  public void forget(ModelDeployment md) {
    states.remove(ResourceID.fromResource(md));
  }

  /** Drops the memory of every ModelDeployment that no longer exists. */
  public void forgetAllBut(Predicate<ResourceID> exists) {
    states.keySet().removeIf(exists.negate());
  }

  /** The history the status kept: what an operator restarted (or newly leading) goes on from. */
  static ScalingHistory restored(ModelDeployment md) {
    AutoscalingStatus.History kept = md.getStatus() == null || md.getStatus().getAutoscaling() == null ? null
        : md.getStatus().getAutoscaling().getHistory();
    if (kept == null) {
      return ScalingHistory.empty();
    }
    try {
      return new ScalingHistory(
          entries(kept.getRecommendations(), ScalingHistory.Recommendation::new),
          entries(kept.getScaleEvents(), ScalingHistory.ScaleEvent::new),
          entries(kept.getReadySamples(), ScalingHistory.ReadySample::new));
    } catch (RuntimeException e) {
      // a status edited by hand: start afresh, as a first round would (seeded with the current count)
      LOG.warnf("ignoring status.autoscaling.history: %s", e.getMessage());
      return ScalingHistory.empty();
    }
  }

  /** The status form of a history: one "instant=value" per entry. */
  public static AutoscalingStatus.History historyStatus(ScalingHistory history) {
    AutoscalingStatus.History kept = new AutoscalingStatus.History();
    kept.setRecommendations(history.recommendations().stream().map(r -> entry(r.at(), r.replicas())).toList());
    kept.setScaleEvents(history.scaleEvents().stream().map(e -> entry(e.at(), e.change())).toList());
    kept.setReadySamples(history.readySamples().stream().map(r -> entry(r.at(), r.ready())).toList());
    return kept;
  }

  private static String entry(Instant at, int value) {
    return at.truncatedTo(ChronoUnit.MILLIS) + "=" + value;
  }

  private static <T> List<T> entries(List<String> kept, BiFunction<Instant, Integer, T> entry) {
    if (kept == null) {
      return List.of();
    }
    List<T> entries = new ArrayList<>();
    for (String e : kept) {
      int eq = e.lastIndexOf('=');
      entries.add(entry.apply(Instant.parse(e.substring(0, eq)), Integer.parseInt(e.substring(eq + 1))));
    }
    return entries;
  }

  /** Before the first evaluation: spec.replicas within the bounds, else the minimum (at least 1). */
  static int initialReplicas(ModelDeployment md, int min, int max) {
    Integer asked = md.getSpec().getReplicas();
    int initial = asked != null ? asked : Math.max(min, 1);
    return Math.max(min, Math.min(max, initial));
  }

  private List<MetricReading> readings(ModelDeployment md, AutoscalingSpec spec) {
    PromQL.Target target = PromQL.Target.allTracks(md.getMetadata().getNamespace(), md.getMetadata().getName());
    String window = MetricsWindows.range(window(spec, windows));
    PrometheusClient client = prometheus.apply(spec.getPrometheusUrl() == null ? defaultPrometheus
        : URI.create(spec.getPrometheusUrl()));
    List<MetricReading> readings = new ArrayList<>();
    for (ScalingMetric m : spec.getMetrics()) {
      readings.add(switch (m.getType()) {
        case REQUESTS_PER_SECOND -> perReplica(client, "requests/s per replica",
            PromQL.requestsPerSecond(target, window), m.getTargetPerReplica(), 1);
        case CONCURRENCY -> perReplica(client, "in-flight requests per replica", PromQL.inFlight(target),
            m.getTargetPerReplica(), 1);
        case LATENCY_P99 -> latency(client, PromQL.latencyQuantile(target, window, 0.99),
            Durations.parse(m.getTargetLatency()).toNanos() / 1e6);
        case CPU_UTILIZATION -> absolute(client, "CPU utilization %", PromQL.cpuUtilization(target),
            m.getTargetUtilization(), 1);
        case GPU_UTILIZATION -> absolute(client, "GPU utilization %", PromQL.gpuUtilization(target),
            m.getTargetUtilization(), 1);
        case PROMQL -> {
          String query = PromQL.substitute(m.getQuery(), PromQL.placeholders(target));
          PrometheusClient guarded = NamespaceGuard.guard(client, md.getMetadata().getNamespace(),
              queriesMayReadOtherNamespaces);
          yield m.getTargetPerReplica() != null
              ? perReplica(guarded, "PromQL per replica", query, m.getTargetPerReplica(), 1)
              : absolute(guarded, "PromQL value", query, m.getTargetValue(), 1);
        }
      });
    }
    return readings;
  }

  private static MetricReading perReplica(PrometheusClient client, String name, String query, double target,
      double scale) {
    return read(client, name, query, v -> MetricReading.perReplica(name, v * scale, target));
  }

  private static MetricReading absolute(PrometheusClient client, String name, String query, double target,
      double scale) {
    return read(client, name, query, v -> MetricReading.absolute(name, v * scale, target));
  }

  /**
   * No data for the latency quantile means no request in the window: nothing is slow, so it
   * reads as 0 rather than as missing (which would block every scale-down at zero traffic).
   */
  private static MetricReading latency(PrometheusClient client, String query, double targetMs) {
    String name = "p99 latency ms";
    QueryResult result = client.query(query);
    if (result instanceof QueryResult.NoData) {
      return MetricReading.absolute(name, 0, targetMs);
    }
    return interpret(name, result, v -> MetricReading.absolute(name, v * 1000, targetMs));
  }

  private static MetricReading read(PrometheusClient client, String name, String query,
      Function<Double, MetricReading> reading) {
    return interpret(name, client.query(query), reading);
  }

  private static MetricReading interpret(String name, QueryResult result, Function<Double, MetricReading> reading) {
    if (result instanceof QueryResult.Value v) {
      return reading.apply(v.value());
    } else if (result instanceof QueryResult.Unreachable u) {
      return MetricReading.missing(name, "Prometheus unreachable: " + u.reason());
    } else if (result instanceof QueryResult.BadQuery b) {
      return MetricReading.missing(name, "bad query: " + b.error());
    }
    return MetricReading.missing(name, "no data");
  }

  static Behavior behavior(AutoscalingSpec spec) {
    Behavior behavior = Behavior.defaults();
    if (spec.getBehavior() != null) {
      if (spec.getBehavior().getScaleUp() != null) {
        behavior = behavior.withScaleUp(rules(spec.getBehavior().getScaleUp(), Behavior.Rules.defaultScaleUp()));
      }
      if (spec.getBehavior().getScaleDown() != null) {
        behavior = behavior.withScaleDown(rules(spec.getBehavior().getScaleDown(),
            Behavior.Rules.defaultScaleDown()));
      }
    }
    return behavior;
  }

  private static Behavior.Rules rules(ScalingRules given, Behavior.Rules defaults) {
    Behavior.Rules rules = defaults;
    if (given.getStabilizationWindow() != null) {
      rules = rules.withStabilizationWindow(Durations.parse(given.getStabilizationWindow()));
    }
    if (given.getSettleWindow() != null) {
      rules = rules.withSettleWindow(Durations.parse(given.getSettleWindow()));
    }
    if (given.getPolicies() != null && !given.getPolicies().isEmpty()) {
      rules = rules.withPolicies(given.getPolicies().stream().map(p -> new Behavior.Policy(
          p.getType() == ScalingRules.Policy.Type.PODS ? Behavior.PolicyType.PODS : Behavior.PolicyType.PERCENT,
          p.getValue(), Durations.parse(p.getPeriod()))).toList());
    }
    if (given.getSelectPolicy() != null) {
      rules = rules.withSelectPolicy(Behavior.SelectPolicy.valueOf(given.getSelectPolicy().name()));
    }
    if (given.getTolerance() != null) {
      rules = rules.withTolerance(given.getTolerance());
    }
    return rules;
  }
}
