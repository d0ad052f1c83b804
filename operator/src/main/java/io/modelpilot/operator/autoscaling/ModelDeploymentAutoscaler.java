package io.modelpilot.operator.autoscaling;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.modelpilot.operator.api.v1alpha1.AutoscalingSpec;
import io.modelpilot.operator.api.v1alpha1.AutoscalingStatus;
import io.modelpilot.operator.api.v1alpha1.Durations;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ScalingMetric;
import io.modelpilot.operator.api.v1alpha1.ScalingRules;
import io.modelpilot.operator.metrics.PromQL;
import io.modelpilot.operator.metrics.PrometheusClient;
import io.modelpilot.operator.metrics.QueryResult;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The adapter around {@link Autoscaler}: turns spec.autoscaling into queries and readings, asks
 * the pure core, and keeps each ModelDeployment's recommendation history between evaluations
 * (in memory: after an operator restart the history is seeded with the current count, so a
 * scale-down waits a full window again — the safe side).
 */
public class ModelDeploymentAutoscaler {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
  public static final String DEFAULT_WINDOW = "1m";

  /** What the reconciler needs from one evaluation (or from the last one while none is due). */
  public record Outcome(int desiredReplicas, ScalingDecision decision, boolean evaluated, Instant evaluatedAt,
      Duration nextEvaluationIn) {
  }

  private record State(ScalingHistory history, ScalingDecision last, Instant evaluatedAt, long generation) {
  }

  private final Function<URI, PrometheusClient> prometheus;
  private final URI defaultPrometheus;
  private final Map<ResourceID, State> states = new ConcurrentHashMap<>();

  public ModelDeploymentAutoscaler(Function<URI, PrometheusClient> prometheus, URI defaultPrometheus) {
    this.prometheus = prometheus;
    this.defaultPrometheus = defaultPrometheus;
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
    int min = spec.getMinReplicas() == null ? 1 : spec.getMinReplicas();
    min = Math.min(Math.max(min, floor), spec.getMaxReplicas());
    int max = spec.getMaxReplicas();
    Duration interval = spec.getInterval() == null ? DEFAULT_INTERVAL : Durations.parse(spec.getInterval());
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
    ScalingHistory history = state == null ? ScalingHistory.empty() : state.history();
    ScalingDecision decision = Autoscaler.decide(
        new ScalingInput(current, readyReplicas, min, max, readings, behavior(spec), now,
            Durations.parse(spec.getWindow() == null ? DEFAULT_WINDOW : spec.getWindow())), history);
    states.put(id, new State(decision.history(), decision, now, generation));
    return new Outcome(decision.desiredReplicas(), decision, true, now, interval);
  }

  public void forget(ModelDeployment md) {
    states.remove(ResourceID.fromResource(md));
  }

  /** Before the first evaluation: spec.replicas within the bounds, else the minimum (at least 1). */
  static int initialReplicas(ModelDeployment md, int min, int max) {
    Integer asked = md.getSpec().getReplicas();
    int initial = asked != null ? asked : Math.max(min, 1);
    return Math.max(min, Math.min(max, initial));
  }

  private List<MetricReading> readings(ModelDeployment md, AutoscalingSpec spec) {
    PromQL.Target target = PromQL.Target.allTracks(md.getMetadata().getNamespace(), md.getMetadata().getName());
    String window = spec.getWindow() == null ? DEFAULT_WINDOW : spec.getWindow();
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
          yield m.getTargetPerReplica() != null
              ? perReplica(client, "PromQL per replica", query, m.getTargetPerReplica(), 1)
              : absolute(client, "PromQL value", query, m.getTargetValue(), 1);
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

  /** The status block for an outcome; lastScaleTime carries over until the count changes. */
  public static AutoscalingStatus status(Outcome outcome, AutoscalingStatus previous) {
    AutoscalingStatus status = new AutoscalingStatus();
    status.setDesiredReplicas(outcome.desiredReplicas());
    ScalingDecision d = outcome.decision();
    status.setLastDecision(d.reason());
    String lastScale = previous == null ? null : previous.getLastScaleTime();
    if (outcome.evaluated() && d.scaled()) {
      lastScale = outcome.evaluatedAt().truncatedTo(ChronoUnit.SECONDS).toString();
    }
    status.setLastScaleTime(lastScale);
    List<AutoscalingStatus.MetricStatus> metrics = new ArrayList<>();
    for (MetricProposal p : d.metrics()) {
      AutoscalingStatus.MetricStatus m = new AutoscalingStatus.MetricStatus();
      m.setName(p.name());
      m.setCurrent(p.current() == null ? null : Math.round(p.current() * 1000) / 1000.0);
      m.setTarget(p.target());
      m.setProposal(p.replicas());
      if (p.verdict() == MetricProposal.Verdict.UNAVAILABLE) {
        m.setUnavailable(p.summary());
      }
      metrics.add(m);
    }
    status.setMetrics(metrics);
    return status;
  }
}
