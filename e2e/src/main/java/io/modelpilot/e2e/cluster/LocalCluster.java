package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.modelpilot.e2e.process.ContainerLauncher;
import io.modelpilot.e2e.process.ManagedProcess;
import io.modelpilot.e2e.process.OperatorProcess;
import io.modelpilot.e2e.process.Prometheus;
import io.modelpilot.e2e.process.RepoLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A Kubernetes cluster on one machine, without a kube-apiserver, Docker or Kind: the fabric8 mock API
 * server with the project's CRDs ({@link LocalApiServer}), the real operator as its own process (or several
 * replicas of it, {@link Builder#operatorReplicas}, electing a leader over a Lease as the chart's replicas do), a
 * {@link Kubelet} that runs real model-server processes for Deployments and Jobs, a real
 * {@link Prometheus} scraping them, and a {@link ServiceProxy} in place of kube-proxy.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().name("demo").start()) {
 *   cluster.namespace("team-a");
 *   cluster.apply(cluster.repo().example("cpu-model.yaml"), "team-a");
 *   URI url = cluster.serviceUrl("team-a", "fraud-detector");
 * }
 * }</pre>
 *
 * Closing stops everything in reverse order and leaves no process behind; a JVM shutdown hook does the
 * same when the JVM exits first.
 */
public final class LocalCluster implements ScenarioCluster {

  public static final List<String> RUNTIME_JVM_OPTIONS =
      List.of("-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
  private static final List<String> OPERATOR_JVM_OPTIONS =
      List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k");
  private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
  /** Where the operator replicas' Lease lives, as the chart puts it: the release namespace. */
  public static final String LEASE_NAMESPACE = "modelpilot-system";
  /** The Lease's name, as the chart names it: the release's full name. */
  public static final String LEASE_NAME = "modelpilot";

  private final RepoLayout repo;
  private final Path runDir;
  private final Builder settings;
  private final List<AutoCloseable> started = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::close, "local-cluster-shutdown");
  private LocalApiServer apiServer;
  private KubernetesClient client;
  private Prometheus prometheus;
  private Kubelet kubelet;
  private ServiceProxy services;
  private final List<OperatorProcess> operators = new ArrayList<>();
  private volatile boolean closed;

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String name = "local-cluster";
    private RepoLayout repo;
    private Path runDir;
    private boolean withOperator = true;
    private int operatorReplicas = 1;
    private boolean withPrometheus = true;
    private final Map<String, String> operatorEnv = new LinkedHashMap<>();
    private Path persistentVolumes;
    private List<String> runtimeJvmOptions = RUNTIME_JVM_OPTIONS;

    private Builder() {
      operatorEnv.put("MODELPILOT_REFERENCE_RECHECK_INTERVAL", "2s");
      // the local Prometheus scrapes every second (its scrape_interval, process.Prometheus)
      operatorEnv.put("MODELPILOT_PROMETHEUS_SCRAPE_INTERVAL", "1s");
      // leader election as the chart sets it up, with a Lease that goes stale in 12 s instead of 15 s, so that a
      // restarted or second operator takes over sooner; the renew deadline leaves a loaded machine (CI: 2 cores, the
      // whole cluster in a few processes) 10 s to renew, as in production: a leader that misses it exits, and
      // nothing here restarts it as a Deployment would
      operatorEnv.put("MODELPILOT_LEADER_ELECTION_ENABLED", "true");
      operatorEnv.put("MODELPILOT_LEADER_ELECTION_LEASE_NAME", LEASE_NAME);
      operatorEnv.put("MODELPILOT_LEADER_ELECTION_LEASE_NAMESPACE", LEASE_NAMESPACE);
      operatorEnv.put("MODELPILOT_LEADER_ELECTION_LEASE_DURATION", "12s");
      operatorEnv.put("MODELPILOT_LEADER_ELECTION_RENEW_DEADLINE", "10s");
      operatorEnv.put("MODELPILOT_LEADER_ELECTION_RETRY_PERIOD", "1s");
    }

    /** Names the run directory, {@code e2e/target/<name>}. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder repo(RepoLayout repo) {
      this.repo = repo;
      return this;
    }

    public Builder runDir(Path runDir) {
      this.runDir = runDir;
      return this;
    }

    /** Extra environment for the operator process (e.g. autoscaling intervals); overrides the defaults. */
    public Builder operatorEnv(String name, String value) {
      operatorEnv.put(name, value);
      return this;
    }

    /**
     * How many operator processes run (default 1), as the chart's replicas: each has its own host name
     * ({@code modelpilot-operator-<i>}) and so its own Lease identity, one leads, the others wait.
     */
    public Builder operatorReplicas(int replicas) {
      if (replicas < 1) {
        throw new IllegalArgumentException("operatorReplicas must be at least 1, got " + replicas);
      }
      this.operatorReplicas = replicas;
      return this;
    }

    /** No operator process: the cluster alone, for tests of the harness or to run the operator elsewhere. */
    public Builder withoutOperator() {
      this.withOperator = false;
      return this;
    }

    public Builder withoutPrometheus() {
      this.withPrometheus = false;
      return this;
    }

    /** A claim {@code c} mounted at {@code /mnt/models} is the directory {@code root/c}; default {@code <run>/pvc}. */
    public Builder persistentVolumes(Path root) {
      this.persistentVolumes = root;
      return this;
    }

    public Builder runtimeJvmOptions(List<String> options) {
      this.runtimeJvmOptions = List.copyOf(options);
      return this;
    }

    public LocalCluster start() {
      RepoLayout layout = repo != null ? repo : RepoLayout.discover();
      Path dir = runDir != null ? runDir : layout.root().resolve("e2e/target").resolve(name);
      LocalCluster cluster = new LocalCluster(layout, dir.toAbsolutePath(), this);
      try {
        cluster.boot();
        return cluster;
      } catch (RuntimeException | Error e) {
        cluster.dumpDiagnostics(cluster.runDir.resolve("startup-failure"));
        cluster.close();
        throw e;
      }
    }
  }

  private LocalCluster(RepoLayout repo, Path runDir, Builder settings) {
    this.repo = repo;
    this.runDir = runDir;
    this.settings = settings;
  }

  private void boot() {
    long begin = System.nanoTime();
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    resetRunDir();

    apiServer = new LocalApiServer(repo.crdFiles(), runDir);
    started.add(apiServer);
    client = apiServer.client();

    // the operator boots in its own JVM while the rest starts here
    if (settings.withPrometheus) {
      prometheus = new Prometheus(runDir.resolve("prometheus"));
    }
    if (settings.withOperator) {
      // the chart's release namespace, where the Lease lives (a real API server wants the namespace first)
      namespace(LEASE_NAMESPACE);
      Map<String, String> env = new LinkedHashMap<>();
      env.put("KUBECONFIG", apiServer.kubeconfig().toString());
      env.put("MODELPILOT_PROMETHEUS_URL", prometheus != null ? prometheus.url().toString() : "http://127.0.0.1:9");
      env.putAll(settings.operatorEnv);
      for (int i = 0; i < settings.operatorReplicas; i++) {
        // the first keeps the plain name (operator.log), which the demo and the diagnostics point at
        String name = i == 0 ? "operator" : "operator-" + i;
        OperatorProcess operator = new OperatorProcess(repo.operatorJar(), runDir, name, "modelpilot-operator-" + i,
            env, OPERATOR_JVM_OPTIONS);
        operators.add(operator);
        started.add(operator);
        operator.launch();
      }
    }
    if (prometheus != null) {
      started.add(prometheus);
      prometheus.start();
    }
    ContainerLauncher launcher = new ContainerLauncher(repo, client, this::persistentVolume,
        settings.runtimeJvmOptions);
    kubelet = new Kubelet(client, launcher, runDir.resolve("pods"), customKinds(),
        prometheus == null ? null : prometheus::writeTargets);
    started.add(kubelet);
    kubelet.start();
    apiServer.servePodLogs(kubelet::log);
    services = new ServiceProxy(client);
    started.add(services);
    services.start();
    operators.forEach(OperatorProcess::awaitReady);
    LOG.info("local cluster up in {} ms (run directory {})", (System.nanoTime() - begin) / 1_000_000, runDir);
  }

  // ------------------------------------------------------------------------------------------ access

  @Override
  public KubernetesClient client() {
    return client;
  }

  public RepoLayout repo() {
    return repo;
  }

  public Path runDir() {
    return runDir;
  }

  public Path kubeconfig() {
    return apiServer.kubeconfig();
  }

  /** The (first) operator process; with several replicas, {@link #operators()} and {@link #leader()}. */
  public OperatorProcess operator() {
    return operators().get(0);
  }

  /** Every operator process, in the order of their host names ({@code modelpilot-operator-0}, ...). */
  public List<OperatorProcess> operators() {
    if (operators.isEmpty()) {
      throw new IllegalStateException("this cluster runs without the operator");
    }
    return List.copyOf(operators);
  }

  /** Who holds the operators' Lease now ({@code spec.holderIdentity}), if anyone does. */
  public Optional<String> leaseHolder() {
    Lease lease = client.leases().inNamespace(LEASE_NAMESPACE).withName(LEASE_NAME).get();
    return Optional.ofNullable(lease).map(Lease::getSpec).map(LeaseSpec::getHolderIdentity);
  }

  /**
   * The operator process whose identity holds the Lease. The holder may be dead: a killed leader holds the Lease
   * until it goes stale and another takes it.
   */
  public Optional<OperatorProcess> leader() {
    return leaseHolder().flatMap(holder -> operators.stream().filter(o -> o.hasIdentity(holder)).findFirst());
  }

  @Override
  public Prometheus prometheus() {
    if (prometheus == null) {
      throw new IllegalStateException("this cluster runs without Prometheus");
    }
    return prometheus;
  }

  public Kubelet kubelet() {
    return kubelet;
  }

  /** The loopback URL that stands for {@code http://<name>.<namespace>.svc:<port>}; waits up to 60 s for the Service. */
  @Override
  public URI serviceUrl(String namespace, String name) {
    return services.awaitUrl(namespace, name, Duration.ofSeconds(60));
  }

  /** The host directory that a pod sees as the PersistentVolumeClaim {@code claim} (mounted at /mnt/models). */
  public Path persistentVolume(String claim) {
    Path root = settings.persistentVolumes != null ? settings.persistentVolumes : runDir.resolve("pvc");
    return root.resolve(claim);
  }

  /** Operations on a custom resource kind of the project's CRDs, e.g. {@code customResources("ModelDeployment")}. */
  @Override
  public MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
      customResources(String kind) {
    ResourceDefinitionContext context = apiServer.customKinds().get(kind);
    if (context == null) {
      throw new IllegalArgumentException("no CRD for kind " + kind + " in " + repo.root().resolve("crds")
          + "; known: " + apiServer.customKinds().keySet());
    }
    return client.genericKubernetesResources(context);
  }

  List<ResourceDefinitionContext> customKinds() {
    return List.copyOf(apiServer.customKinds().values());
  }

  // ------------------------------------------------------------------------------------------ actions

  /** Creates the namespace unless it exists (the mock does not need it; a real cluster does). */
  public void namespace(String name) {
    Manifests.ensureNamespace(client, name);
  }

  /** {@code kubectl apply --server-side -n namespace -f yaml}: every document, created or updated. */
  public List<HasMetadata> apply(Path yaml, String namespace) {
    try (InputStream in = Files.newInputStream(yaml)) {
      return apply(in, namespace);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + yaml, e);
    }
  }

  @Override
  public List<HasMetadata> apply(String yaml, String namespace) {
    return apply(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), namespace);
  }

  private List<HasMetadata> apply(InputStream yaml, String namespace) {
    namespace(namespace);
    return Manifests.apply(client, yaml, namespace);
  }

  /** The kubelet's pods of a Deployment (or Job), terminating ones included. */
  @Override
  public List<ScenarioPod> pods(String namespace, String deployment) {
    return kubelet.pods(namespace, deployment).stream()
        .map(p -> new ScenarioPod(p.namespace(), p.name(), p.ready(), p.terminating(), p.process())).toList();
  }

  /** Whether the pod is still in the kubelet's table or its runtime process is alive. */
  @Override
  public boolean stillRunning(ScenarioPod pod) {
    return (pod.process() != null && pod.process().isAlive()) || kubelet.pods().stream()
        .anyMatch(p -> p.namespace().equals(pod.namespace()) && p.name().equals(pod.name()));
  }

  @Override
  public Path reportsDir() {
    return repo.root().resolve("e2e/target");
  }

  /** Writes what a person needs to understand a failure: objects, Events, and every log, under {@code dir}. */
  @Override
  public void dumpDiagnostics(Path dir) {
    Diagnostics.dump(this, dir);
  }

  // ------------------------------------------------------------------------------------------ setup

  private void resetRunDir() {
    // a run killed with SIGKILL could not stop its processes; they would hold CPU and ports now
    int orphans = ManagedProcess.reapOrphans(runDir.resolve("pids"));
    if (orphans > 0) {
      LOG.warn("ended {} process(es) that a previous, killed run in {} left behind", orphans, runDir);
    }
    try {
      if (Files.exists(runDir)) {
        try (Stream<Path> walk = Files.walk(runDir)) {
          walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      Files.createDirectories(runDir);
      ManagedProcess.recordPidsIn(runDir.resolve("pids"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + runDir, e);
    }
  }

  /** Stops everything in reverse order of start; idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
    List<AutoCloseable> reverse = new ArrayList<>(started);
    java.util.Collections.reverse(reverse);
    for (AutoCloseable part : reverse) {
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
    LOG.info("local cluster stopped");
  }
}
