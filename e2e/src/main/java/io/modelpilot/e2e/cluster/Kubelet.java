package io.modelpilot.e2e.cluster;

import io.modelpilot.e2e.process.DaemonThreads;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.modelpilot.e2e.process.ContainerLauncher;
import io.modelpilot.e2e.process.ScrapeTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The node and the controllers a real cluster would run for the operator's objects, against the mock API
 * server, each a part of its own: the {@link DeploymentController} and the {@link JobController} decide which
 * pods should run, the {@link PodRunner} runs them as processes, the {@link Prober} finds them ready, the
 * {@link PodPublisher} writes their Pod objects and scrape targets, and the {@link GarbageCollector} deletes
 * objects whose owners are gone.
 *
 * <p>Everything that changes state runs on one loop thread, woken by informer events, process exits and
 * probe results, and every 500 ms.
 */
public final class Kubelet implements AutoCloseable {

  /** A pod as the kubelet runs it. {@code process} is null before the first start. */
  public record PodInfo(String namespace, String name, String ownerKind, String ownerName, String revision,
      Map<String, String> labels, int port, ProcessHandle process, boolean ready, int restarts, boolean terminating,
      Integer exitCode, String terminationMessage, Path log) {

    public URI url() {
      return URI.create("http://127.0.0.1:" + port);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);
  private static final long PERIOD_MILLIS = 500;

  private final KubernetesClient client;
  private final List<ResourceDefinitionContext> ownerKinds;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("kubelet"));
  private final AtomicBoolean syncRequested = new AtomicBoolean();
  private final PodPublisher publisher;
  private final PodRunner runner;
  private final DeploymentController deploymentController;
  private final JobController jobController;
  private final Prober prober;
  private final GarbageCollector garbageCollector;
  /** By kind: Deployment, Job, then the owner kinds. */
  private final Map<String, SharedIndexInformer<? extends HasMetadata>> informers = new LinkedHashMap<>();
  private SharedIndexInformer<Deployment> deployments;
  private SharedIndexInformer<Job> jobs;
  private volatile boolean closed;

  /**
   * @param ownerKinds custom resources that own objects (ModelDeployment, TuningJob): their deletion
   *     garbage-collects what they own
   * @param targetSink receives the scrape targets whenever the running pods change
   */
  Kubelet(KubernetesClient client, ContainerLauncher launcher, Path podsDir, List<ResourceDefinitionContext> ownerKinds,
      Consumer<Collection<ScrapeTarget>> targetSink) {
    this.client = client;
    this.ownerKinds = List.copyOf(ownerKinds);
    Executor onLoop = this::onLoop;
    this.publisher = new PodPublisher(client, targetSink);
    this.runner = new PodRunner(client, launcher, podsDir, publisher, onLoop, this::requestSync);
    this.deploymentController = new DeploymentController(client, runner);
    this.jobController = new JobController(client, runner, publisher);
    this.prober = new Prober(runner, onLoop, this::requestSync);
    this.garbageCollector = new GarbageCollector(client, informers, ownerKinds, runner::runs);
  }

  Kubelet start() {
    ResourceEventHandler<HasMetadata> wake = new ResourceEventHandler<>() {
      @Override
      public void onAdd(HasMetadata obj) {
        requestSync();
      }

      @Override
      public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
        requestSync();
      }

      @Override
      public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
        garbageCollector.request();
        requestSync();
      }
    };
    deployments = client.apps().deployments().inAnyNamespace().inform(cast(wake), 0);
    jobs = client.batch().v1().jobs().inAnyNamespace().inform(cast(wake), 0);
    informers.put("Deployment", deployments);
    informers.put("Job", jobs);
    for (ResourceDefinitionContext kind : ownerKinds) {
      SharedIndexInformer<GenericKubernetesResource> informer =
          client.genericKubernetesResources(kind).inAnyNamespace().inform(cast(wake), 0);
      informers.put(kind.getKind(), informer);
    }
    loop.scheduleWithFixedDelay(this::sync, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Every pod the kubelet runs or ran (finished Job pods stay until their Job goes). */
  public List<PodInfo> pods() {
    return runner.pods().stream().sorted(Comparator.comparingLong(p -> p.sequence)).map(PodProcess::info).toList();
  }

  /** The pods of one Deployment or Job. */
  public List<PodInfo> pods(String namespace, String ownerName) {
    return pods().stream().filter(p -> p.namespace().equals(namespace) && p.ownerName().equals(ownerName)).toList();
  }

  /**
   * What the API server serves as a pod's log ({@code GET pods/{name}/log}): its container's output, stdout and
   * stderr; null for a pod this kubelet does not have.
   */
  public String log(String namespace, String name) {
    PodProcess p = runner.pod(namespace, name);
    return p == null ? null : p.containerLog();
  }

  /** A one-line-per-pod table for logs and diagnostics. */
  String describe() {
    StringBuilder out = new StringBuilder();
    for (PodInfo p : pods()) {
      out.append("%s/%s owner=%s/%s revision=%s port=%d pid=%s alive=%s ready=%s restarts=%d terminating=%s exit=%s%n"
          .formatted(p.namespace(), p.name(), p.ownerKind(), p.ownerName(), p.revision(), p.port(),
              p.process() == null ? "-" : p.process().pid(), p.process() != null && p.process().isAlive(), p.ready(),
              p.restarts(), p.terminating(), p.exitCode()));
    }
    return out.toString();
  }

  private void requestSync() {
    if (!closed && syncRequested.compareAndSet(false, true)) {
      onLoop(this::sync);
    }
  }

  /** Runs {@code task} on the loop thread; once the kubelet closes, nothing runs and {@link #close()} cleans up. */
  private void onLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException closing) {
      // shutting down
    }
  }

  /**
   * One pass of every part, in an order that keeps the API consistent: Pods are written before the Deployment
   * and Job statuses that count them, and again after the controllers and probes changed them.
   */
  private void sync() {
    syncRequested.set(false);
    if (closed) {
      return;
    }
    try {
      Instant now = Instant.now();
      runner.pods().forEach(publisher::publish);
      Map<String, Deployment> liveDeployments = byOwnerKey(deployments.getStore().list());
      Map<String, Job> liveJobs = byOwnerKey(jobs.getStore().list());
      liveDeployments.values().forEach(d -> deploymentController.sync(d, now));
      liveJobs.values().forEach(j -> jobController.sync(j, now));
      for (PodProcess p : List.copyOf(runner.pods())) {
        boolean ownerGone = !(p.job ? liveJobs : liveDeployments).containsKey(p.ownerKey);
        if (ownerGone && !p.terminating) {
          runner.stop(p, "its " + p.owner.getKind() + " " + p.owner.getName() + " was deleted");
        }
      }
      deploymentController.retainOnly(liveDeployments.keySet());
      jobController.retainOnly(liveJobs.keySet());
      prober.probe();
      runner.pods().forEach(publisher::publish);
      garbageCollector.collectIfDue();
      publisher.publishTargets(runner.pods());
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.warn("kubelet sync failed (retrying): {}", e.toString(), e);
      }
    }
  }

  private static <T extends HasMetadata> Map<String, T> byOwnerKey(List<T> owners) {
    Map<String, T> byKey = new HashMap<>();
    owners.forEach(o -> byKey.put(PodProcess.ownerKey(o), o));
    return byKey;
  }

  @SuppressWarnings("unchecked")
  private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<HasMetadata> handler) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
  }

  /** Stops every process (in parallel) and the informers; Pod objects stay, as on a node that goes away. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    informers.values().forEach(SharedIndexInformer::close);
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("kubelet stopped {} process(es)", runner.stopAll());
  }
}
