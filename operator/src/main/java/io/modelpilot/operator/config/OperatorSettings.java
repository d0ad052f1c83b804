package io.modelpilot.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/** Operator-wide settings; in a cluster they come from the Helm chart as MODELPILOT_* variables. */
@ConfigMapping(prefix = "modelpilot")
public interface OperatorSettings {

  /** Runtime image for ModelDeployments that do not name one (spec.runtime.image). */
  @WithDefault("ghcr.io/modelpilot/runtime:0.1.0")
  String runtimeImage();

  /**
   * Namespaces whose resources the operator reconciles; JOSDK_ALL_NAMESPACES for the whole cluster.
   * Handed to the Operator SDK as quarkus.operator-sdk.namespaces (see application.properties).
   */
  @WithDefault("JOSDK_ALL_NAMESPACES")
  List<String> watchNamespaces();

  /** Prometheus the operator queries for autoscaling and canary analysis. */
  @WithDefault("http://prometheus-operated.monitoring.svc:9090")
  URI prometheusUrl();

  /**
   * The interval Prometheus scrapes the model-server pods at. Every rate or quantile window the operator queries
   * (canary analysis, autoscaling) is at least four of these, and the ServiceMonitors it creates ask for it.
   * 30s is the Prometheus Operator's (and kube-prometheus-stack's) default; a plain Prometheus with its own
   * default of 1m needs {@code 1m} here.
   */
  @WithDefault("30s")
  java.time.Duration prometheusScrapeInterval();

  /**
   * Whether a ModelDeployment's PromQL metrics may read other namespaces' series. Off: every selector of such a
   * query must carry {@code namespace="<its namespace>"} (write {@code namespace="$namespace"}); a query without
   * is never sent, and the ModelDeployment is Ready=False naming the field.
   */
  @WithDefault("false")
  boolean promqlAllowOtherNamespaces();

  /** How often a ModelDeployment whose Secret or PVC is missing is checked again. */
  @WithDefault("30s")
  java.time.Duration referenceRecheckInterval();

  /**
   * While the cluster does not serve Gateway API HTTPRoutes, how often the operator asks again (a ModelDeployment
   * with spec.rollout.traffic.gatewayAPI then gets its route within this time of the CRDs being installed).
   */
  @WithDefault("1m")
  java.time.Duration gatewayApiRecheckInterval();

  /**
   * Runtime image for ModelDeployments with spec.gpu that do not name one: the CUDA build (the CPU image cannot run
   * the CUDA execution provider). Absent: runtimeImage.
   */
  Optional<String> runtimeCudaImage();

  /**
   * Extra labels on every ServiceMonitor, as {@code key=value,key=value}: a Prometheus Operator installation selects
   * ServiceMonitors by label (kube-prometheus-stack by {@code release=<its release>}).
   */
  Optional<String> serviceMonitorLabels();

  /** Several operator replicas elect one leader over a Lease; only the leader reconciles. */
  LeaderElection leaderElection();

  interface LeaderElection {

    /**
     * On by default: two replicas (the chart's default) then hand over during a rolling update or when a node
     * goes away. Off only for a single replica that should not wait for a Lease. Leader election runs in the prod
     * profile only (quarkus.operator-sdk's default).
     */
    @WithDefault("true")
    boolean enabled();

    /** The coordination.k8s.io Lease the replicas compete for. */
    @WithDefault("modelpilot-operator")
    String leaseName();

    /** Where the Lease lives: the operator's own namespace (the chart sets it). Absent: the client's namespace. */
    Optional<String> leaseNamespace();

    /** This replica's name in the Lease. Absent: the host name (a pod's name) and a random suffix. */
    Optional<String> identity();

    /**
     * How long the Lease lasts unrenewed: a replica takes over this long after the leader's last renewal. The
     * defaults are client-go's and JOSDK's (15 s, 10 s, 2 s); the local cluster shortens them so that a takeover
     * fits in a test.
     */
    @WithDefault("15s")
    java.time.Duration leaseDuration();

    /** How long a leader keeps trying to renew the Lease before it stops leading (and exits); below leaseDuration. */
    @WithDefault("10s")
    java.time.Duration renewDeadline();

    /** How often a replica tries to acquire or renew the Lease; renewDeadline must exceed 2.2 times it (jitter). */
    @WithDefault("2s")
    java.time.Duration retryPeriod();
  }

  /** Defaults of every runtime pod the operator builds (chart values {@code runtime.pod.*}). */
  RuntimePod runtimePod();

  interface RuntimePod {

    /**
     * Container resources where a ModelDeployment's {@code spec.resources} leaves the field out (a spec value always
     * wins, field by field). Each a Kubernetes quantity; absent: no default for that field.
     */
    Optional<String> cpuRequest();

    Optional<String> memoryRequest();

    Optional<String> cpuLimit();

    Optional<String> memoryLimit();

    /**
     * Share of the container's memory limit the JVM may use as heap ({@code -XX:MaxRAMPercentage}); the rest is for
     * ONNX Runtime's native memory (the model's weights, its arenas), direct buffers, threads and metaspace.
     */
    @WithDefault("50")
    int jvmMaxRamPercentage();

    /**
     * How long a pod may take to become ready the first time (model download, load and warm-up) before the kubelet
     * restarts it: the startup probe on the readiness path allows this long; liveness starts only after it.
     */
    @WithDefault("10m")
    java.time.Duration startupTimeout();

    /**
     * How long a terminating pod keeps serving before the server is told to stop (a preStop sleep): endpoints and
     * proxies stop sending it new requests meanwhile. 0: no preStop hook.
     */
    @WithDefault("5s")
    java.time.Duration drainDelay();
  }

  /** A PodDisruptionBudget per ModelDeployment of more than one pod (chart values {@code podDisruptionBudget.*}). */
  PodDisruptionBudget podDisruptionBudget();

  interface PodDisruptionBudget {

    @WithDefault("true")
    boolean enabled();

    /** Pods of one ModelDeployment (stable and canary together) a voluntary disruption may take at once: 1 or 25%. */
    @WithDefault("1")
    String maxUnavailable();
  }

  /** DNS suffix of in-cluster Service names, used in status.endpoint. */
  @WithDefault("cluster.local")
  String clusterDomain();
}
