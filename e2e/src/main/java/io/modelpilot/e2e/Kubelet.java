package io.modelpilot.e2e;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The node and the controllers a real cluster would run for the operator's objects, against the mock API
 * server: for each Deployment it keeps {@code spec.replicas} runtime processes (rolling updates with
 * {@code maxUnavailable} honoured, crashed containers restarted with back-off), writes a Pod object per
 * process and the Deployment's status; for each Job it runs the pod once (with {@code backoffLimit}
 * retries) and reports the termination message; and, as the mock has no garbage collector, it deletes
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

  public static final String PORT_ANNOTATION = "modelpilot.io/port";
  public static final String REVISION_LABEL = "modelpilot.io/revision";
  public static final String NODE_NAME = "local";
  /** Labels a PodMonitor copies onto every series (podTargetLabels), as Prometheus sanitises them. */
  static final List<String> TARGET_LABELS = List.of("modelpilot.io/deployment", "modelpilot.io/track", REVISION_LABEL);
  static final int TERMINATION_MESSAGE_LIMIT = 4096;

  private static final Logger LOG = LoggerFactory.getLogger(Kubelet.class);
  private static final Duration PERIOD = Duration.ofMillis(500);
  private static final Duration PROBE_PERIOD = Duration.ofSeconds(1);
  private static final Duration GC_PERIOD = Duration.ofSeconds(2);
  /** Between "not ready" and SIGTERM, so proxies stop sending to the pod first (a preStop sleep). */
  private static final Duration ENDPOINT_DRAIN = Duration.ofSeconds(1);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

  private final KubernetesClient client;
  private final ContainerLauncher launcher;
  private final Path podsDir;
  private final List<ResourceDefinitionContext> ownerKinds;
  private final Consumer<Collection<ScrapeTarget>> targetSink;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(daemon("kubelet"));
  private final ExecutorService stopper = Executors.newCachedThreadPool(daemon("kubelet-stop"));
  private final HttpClient prober = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
      .executor(Executors.newFixedThreadPool(2, daemon("kubelet-probe"))).build();
  private final Map<String, PodProcess> pods = new ConcurrentHashMap<>();
  private final Map<String, DeploymentTrack> deploymentTracks = new HashMap<>();
  private final Map<String, JobTrack> jobTracks = new HashMap<>();
  private final AtomicBoolean syncRequested = new AtomicBoolean();
  private final SecureRandom random = new SecureRandom();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private SharedIndexInformer<Deployment> deployments;
  private SharedIndexInformer<Job> jobs;
  private final Map<String, SharedIndexInformer<GenericKubernetesResource>> owners = new LinkedHashMap<>();
  private Set<ScrapeTarget> publishedTargets = Set.of();
  private long lastGcNanos;
  private volatile boolean gcRequested;
  private volatile boolean closed;

  /**
   * @param ownerKinds custom resources that own objects (ModelDeployment, TuningJob): their deletion
   *     garbage-collects what they own
   * @param targetSink receives the scrape targets whenever the running pods change
   */
  public Kubelet(KubernetesClient client, ContainerLauncher launcher, Path podsDir,
      List<ResourceDefinitionContext> ownerKinds, Consumer<Collection<ScrapeTarget>> targetSink) {
    this.client = client;
    this.launcher = launcher;
    this.podsDir = podsDir;
    this.ownerKinds = List.copyOf(ownerKinds);
    this.targetSink = targetSink;
  }

  public Kubelet start() {
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
        gcRequested = true;
        requestSync();
      }
    };
    deployments = client.apps().deployments().inAnyNamespace().inform(cast(wake), 0);
    jobs = client.batch().v1().jobs().inAnyNamespace().inform(cast(wake), 0);
    informers.add(deployments);
    informers.add(jobs);
    for (ResourceDefinitionContext kind : ownerKinds) {
      SharedIndexInformer<GenericKubernetesResource> informer =
          client.genericKubernetesResources(kind).inAnyNamespace().inform(cast(wake), 0);
      owners.put(kind.getKind(), informer);
      informers.add(informer);
    }
    loop.scheduleWithFixedDelay(this::sync, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Every pod the kubelet runs or ran (finished Job pods stay until their Job goes). */
  public List<PodInfo> pods() {
    return pods.values().stream().sorted(Comparator.comparingLong(p -> p.sequence)).map(PodProcess::info).toList();
  }

  /** The pods of one Deployment or Job. */
  public List<PodInfo> pods(String namespace, String ownerName) {
    return pods().stream().filter(p -> p.namespace().equals(namespace) && p.ownerName().equals(ownerName)).toList();
  }

  /** A one-line-per-pod table for logs and diagnostics. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    for (PodInfo p : pods()) {
      out.append("%s/%s owner=%s/%s revision=%s port=%d pid=%s alive=%s ready=%s restarts=%d terminating=%s exit=%s%n"
          .formatted(p.namespace(), p.name(), p.ownerKind(), p.ownerName(), p.revision(), p.port(),
              p.process() == null ? "-" : p.process().pid(), p.process() != null && p.process().isAlive(), p.ready(),
              p.restarts(), p.terminating(), p.exitCode()));
    }
    return out.toString();
  }

  void requestSync() {
    if (!closed && syncRequested.compareAndSet(false, true)) {
      try {
        loop.execute(this::sync);
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // shutting down
      }
    }
  }

  // ------------------------------------------------------------------------------------------ the loop

  private void sync() {
    syncRequested.set(false);
    if (closed) {
      return;
    }
    try {
      Instant now = Instant.now();
      // Pods first: whoever reads a Deployment's or Job's status finds the Pods that back it
      pods.values().forEach(this::publishPod);
      Map<String, Deployment> liveDeployments = new HashMap<>();
      for (Deployment d : deployments.getStore().list()) {
        liveDeployments.put(ownerKey(d), d);
      }
      Map<String, Job> liveJobs = new HashMap<>();
      for (Job j : jobs.getStore().list()) {
        liveJobs.put(ownerKey(j), j);
      }
      for (Deployment d : liveDeployments.values()) {
        syncDeployment(d, now);
      }
      for (Job j : liveJobs.values()) {
        syncJob(j, now);
      }
      for (PodProcess p : List.copyOf(pods.values())) {
        boolean ownerGone = p.job ? !liveJobs.containsKey(p.ownerKey) : !liveDeployments.containsKey(p.ownerKey);
        if (ownerGone && !p.terminating) {
          stopPod(p, "its " + p.owner.getKind() + " " + p.owner.getName() + " was deleted");
        }
      }
      deploymentTracks.keySet().retainAll(liveDeployments.keySet());
      jobTracks.keySet().retainAll(liveJobs.keySet());
      probe(now);
      pods.values().forEach(this::publishPod);
      if (gcRequested || System.nanoTime() - lastGcNanos > GC_PERIOD.toNanos()) {
        gcRequested = false;
        lastGcNanos = System.nanoTime();
        collectGarbage();
      }
      publishTargets();
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.warn("kubelet sync failed (retrying): {}", e.toString(), e);
      }
    }
  }

  // ------------------------------------------------------------------------------------------ Deployments

  private static final class DeploymentTrack {
    String revision;
    String progress;
    Instant progressAt;
    DeploymentStatus written;
  }

  private void syncDeployment(Deployment d, Instant now) {
    String key = ownerKey(d);
    String revision = revisionOf(d.getSpec().getTemplate());
    int desired = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
    DeploymentTrack track = deploymentTracks.computeIfAbsent(key, k -> new DeploymentTrack());
    List<PodProcess> mine = pods.values().stream().filter(p -> p.ownerKey.equals(key)).toList();
    for (PodProcess p : mine) {
      restartIfCrashed(p, now);
    }
    List<PodProcess> live = mine.stream().filter(p -> !p.terminating).toList();
    int terminating = mine.size() - live.size();

    var strategy = d.getSpec().getStrategy();
    boolean recreate = strategy != null && "Recreate".equals(strategy.getType());
    var rolling = strategy == null ? null : strategy.getRollingUpdate();
    int maxSurge = recreate ? 0 : RolloutPlanner.resolve(rolling == null ? null : rolling.getMaxSurge(), desired, true);
    int maxUnavailable = recreate ? desired
        : RolloutPlanner.resolve(rolling == null ? null : rolling.getMaxUnavailable(), desired, false);
    if (!recreate && maxSurge == 0 && maxUnavailable == 0) {
      maxUnavailable = 1;
    }
    if (!Boolean.TRUE.equals(d.getSpec().getPaused())) {
      RolloutPlanner.Plan plan = RolloutPlanner.plan(recreate, desired, maxSurge, maxUnavailable,
          live.stream().map(p -> new RolloutPlanner.PodView(p.name, p.revision.equals(revision), p.ready, p.sequence))
              .toList(), terminating);
      for (String name : plan.stop()) {
        PodProcess p = pods.get(d.getMetadata().getNamespace() + "/" + name);
        boolean current = p.revision.equals(revision);
        stopPod(p, current ? "scaled down to " + desired : "replaced by revision " + revision);
      }
      for (int i = 0; i < plan.start(); i++) {
        startDeploymentPod(d, key, revision);
      }
    }

    live = pods.values().stream().filter(p -> p.ownerKey.equals(key) && !p.terminating).toList();
    int updated = (int) live.stream().filter(p -> p.revision.equals(revision)).count();
    int ready = (int) live.stream().filter(p -> p.ready).count();
    String progress = revision + "/" + updated + "/" + ready + "/" + live.size();
    if (!progress.equals(track.progress)) {
      track.progress = progress;
      track.progressAt = now;
    }
    long deadlineSeconds = Optional.ofNullable(d.getSpec().getProgressDeadlineSeconds()).orElse(600);
    DeploymentStatuses.Observed observed = new DeploymentStatuses.Observed(
        Optional.ofNullable(d.getMetadata().getGeneration()).orElse(1L), desired, maxUnavailable,
        d.getMetadata().getName() + "-" + revision, live.size(), updated, ready, false);
    boolean deadlineExceeded = !observed.complete()
        && Duration.between(track.progressAt, now).getSeconds() > deadlineSeconds;
    if (deadlineExceeded) {
      observed = new DeploymentStatuses.Observed(observed.generation(), desired, maxUnavailable, observed.replicaSet(),
          live.size(), updated, ready, true);
    }
    DeploymentStatus next = DeploymentStatuses.compute(observed, d.getStatus(), now);
    if (DeploymentStatuses.sameState(next, d.getStatus()) || DeploymentStatuses.sameState(next, track.written)) {
      return;
    }
    try {
      client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
          .resource(new DeploymentBuilder(d).withStatus(next).build()).updateStatus();
      track.written = next;
      if (observed.complete() && !Objects.equals(revision, track.revision)) {
        track.revision = revision;
        LOG.info("Deployment {}/{}: revision {} rolled out, {}/{} ready", d.getMetadata().getNamespace(),
            d.getMetadata().getName(), revision, ready, desired);
      }
    } catch (KubernetesClientException e) {
      LOG.warn("cannot write the status of Deployment {}: {}", key, e.getMessage());
    }
  }

  private void startDeploymentPod(Deployment d, String key, String revision) {
    PodTemplateSpec template = d.getSpec().getTemplate();
    String namespace = d.getMetadata().getNamespace();
    String name = d.getMetadata().getName() + "-" + revision + "-" + randomSuffix();
    Map<String, String> labels = new LinkedHashMap<>(Optional.ofNullable(template.getMetadata().getLabels())
        .orElse(Map.of()));
    labels.putIfAbsent("pod-template-hash", revision);
    PodProcess p = new PodProcess(namespace, name, controllerReference(d), key, revision, labels, template,
        template.getSpec().getContainers().get(0), Ports.free(), podsDir, false);
    pods.put(p.key(), p);
    launch(p);
    LOG.info("Deployment {}/{}: started pod {} on port {} (revision {})", namespace, d.getMetadata().getName(), name,
        p.port, revision);
  }

  private void restartIfCrashed(PodProcess p, Instant now) {
    if (p.terminating || p.job) {
      return;
    }
    if (p.exitedUnhandled()) {
      p.exitCode = p.process.exitCode();
      p.ready = false;
      Duration backoff = backoff(p.restarts);
      p.restartAt = now.plus(backoff);
      LOG.warn("pod {} exited with code {}; restarting in {} s (restart #{}), log {}", p.key(), p.exitCode,
          backoff.toSeconds(), p.restarts + 1, p.log);
    }
    if (p.restartAt != null && !now.isBefore(p.restartAt)) {
      p.restartAt = null;
      p.restarts++;
      launch(p);
    }
  }

  /** Kubernetes doubles a crash-looping container's delay from 10 s up to 5 min; here from 1 s up to 30 s. */
  private static Duration backoff(int restarts) {
    return Duration.ofSeconds(Math.min(30, 1L << Math.min(restarts, 5)));
  }

  // ------------------------------------------------------------------------------------------ Jobs

  private static final class JobTrack {
    Instant startTime;
    int succeeded;
    int failed;
    Instant nextAttempt;
    JobCondition outcome;
    Instant completionTime;
    String written;
  }

  private void syncJob(Job job, Instant now) {
    String key = ownerKey(job);
    JobTrack track = jobTracks.computeIfAbsent(key, k -> new JobTrack());
    List<PodProcess> mine = pods.values().stream().filter(p -> p.ownerKey.equals(key)).toList();
    for (PodProcess p : mine) {
      if (p.exitedUnhandled()) {
        finishJobPod(p, now);
        publishPod(p); // the pod's result is in the API before the Job says it finished, as in a cluster
        if (p.exitCode == 0) {
          track.succeeded++;
        } else {
          track.failed++;
          track.nextAttempt = now.plus(backoff(track.failed - 1));
        }
      }
    }
    if (track.outcome == null && terminal(job.getStatus())) {
      return; // finished before this kubelet saw it
    }
    List<PodProcess> active = mine.stream().filter(p -> p.finishedAt == null && !p.terminating).toList();
    if (track.outcome == null) {
      var spec = job.getSpec();
      int completions = Optional.ofNullable(spec.getCompletions()).orElse(1);
      int backoffLimit = Optional.ofNullable(spec.getBackoffLimit()).orElse(6);
      if (track.startTime == null && !Boolean.TRUE.equals(spec.getSuspend())) {
        track.startTime = now;
      }
      if (Boolean.TRUE.equals(spec.getSuspend())) {
        active.forEach(p -> stopPod(p, "Job suspended"));
      } else if (track.succeeded >= completions) {
        track.outcome = jobCondition("Complete", null, null, now);
        track.completionTime = now;
        LOG.info("Job {}/{} complete", job.getMetadata().getNamespace(), job.getMetadata().getName());
      } else if (track.failed > backoffLimit) {
        track.outcome = jobCondition("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit",
            now);
        LOG.info("Job {}/{} failed: {} failed pod(s)", job.getMetadata().getNamespace(), job.getMetadata().getName(),
            track.failed);
      } else if (spec.getActiveDeadlineSeconds() != null
          && now.isAfter(track.startTime.plusSeconds(spec.getActiveDeadlineSeconds()))) {
        track.outcome = jobCondition("Failed", "DeadlineExceeded", "Job was active longer than specified deadline", now);
        active.forEach(p -> stopPod(p, "the Job's activeDeadlineSeconds passed"));
        LOG.info("Job {}/{} failed: deadline exceeded", job.getMetadata().getNamespace(), job.getMetadata().getName());
      } else if (active.isEmpty() && (track.nextAttempt == null || !now.isBefore(track.nextAttempt))) {
        startJobPod(job, key);
      }
    }
    active = pods.values().stream().filter(p -> p.ownerKey.equals(key) && p.finishedAt == null && !p.terminating)
        .toList();
    JobStatusBuilder status = new JobStatusBuilder()
        .withStartTime(time(track.startTime))
        .withActive(active.isEmpty() ? null : active.size())
        .withReady((int) active.stream().filter(p -> p.ready).count())
        .withSucceeded(track.succeeded == 0 ? null : track.succeeded)
        .withFailed(track.failed == 0 ? null : track.failed)
        .withTerminating(0)
        .withCompletionTime(time(track.completionTime));
    if (track.outcome != null) {
      // Kubernetes 1.31+: the criteria condition first, then the terminal one
      boolean complete = track.outcome.getType().equals("Complete");
      status.addToConditions(new JobConditionBuilder(track.outcome)
          .withType(complete ? "SuccessCriteriaMet" : "FailureTarget").build(), track.outcome);
    }
    JobStatus next = status.build();
    String signature = Serialization.asJson(next);
    if (signature.equals(track.written)) {
      return;
    }
    try {
      client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace())
          .resource(new JobBuilder(job).withStatus(next).build()).updateStatus();
      track.written = signature;
    } catch (KubernetesClientException e) {
      LOG.warn("cannot write the status of Job {}: {}", key, e.getMessage());
    }
  }

  private void startJobPod(Job job, String key) {
    PodTemplateSpec template = job.getSpec().getTemplate();
    String namespace = job.getMetadata().getNamespace();
    String name = job.getMetadata().getName() + "-" + randomSuffix();
    Map<String, String> labels = new LinkedHashMap<>(Optional.ofNullable(template.getMetadata())
        .map(m -> m.getLabels()).orElse(Map.of()));
    String uid = job.getMetadata().getUid();
    labels.put("batch.kubernetes.io/controller-uid", uid);
    labels.put("batch.kubernetes.io/job-name", job.getMetadata().getName());
    labels.put("controller-uid", uid);
    labels.put("job-name", job.getMetadata().getName());
    PodProcess p = new PodProcess(namespace, name, controllerReference(job), key, "", labels, template,
        template.getSpec().getContainers().get(0), Ports.free(), podsDir, true);
    pods.put(p.key(), p);
    launch(p);
    LOG.info("Job {}/{}: started pod {}: {}", namespace, job.getMetadata().getName(), name,
        String.join(" ", Optional.ofNullable(p.container.getArgs()).orElse(List.of())));
  }

  private void finishJobPod(PodProcess p, Instant now) {
    p.exitCode = p.process == null ? 128 : p.process.exitCode();
    p.ready = false;
    p.finishedAt = now;
    p.terminationReason = p.process == null ? "StartError" : p.exitCode == 0 ? "Completed" : "Error";
    String message = p.launchError != null ? p.launchError : readLimited(p.terminationFile);
    if ((message == null || message.isEmpty()) && p.exitCode != 0
        && "FallbackToLogsOnError".equals(p.container.getTerminationMessagePolicy())) {
      message = logTail(p.log);
    }
    p.terminationMessage = message == null || message.isEmpty() ? null : message;
    LOG.info("pod {} terminated: exit code {} ({})", p.key(), p.exitCode, p.terminationReason);
    requestSync();
  }

  private static boolean terminal(JobStatus status) {
    return status != null && status.getConditions() != null && status.getConditions().stream()
        .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
  }

  private static JobCondition jobCondition(String type, String reason, String message, Instant now) {
    return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
        .withLastProbeTime(time(now)).withLastTransitionTime(time(now)).build();
  }

  // ------------------------------------------------------------------------------------------ processes

  private void launch(PodProcess p) {
    try {
      Files.deleteIfExists(p.terminationFile);
      ContainerLauncher.Launch launch = launcher.prepare(p.namespace, p.name, p.template.getSpec(), p.container, p.dir,
          p.port, p.terminationFile);
      p.readinessPath = launch.readinessPath();
      p.launchError = null;
      p.probeFailures = 0;
      p.process = ManagedProcess.start(p.key(), launch.command(), launch.environment(), p.log, p.dir);
      p.startedAt = Instant.now();
      p.process.onExit().thenRun(this::requestSync);
    } catch (IOException | RuntimeException e) {
      p.launchError = "cannot start the container: " + e.getMessage();
      LOG.warn("pod {}: {}", p.key(), p.launchError);
      if (p.job) {
        finishJobPod(p, Instant.now());
        JobTrack track = jobTracks.computeIfAbsent(p.ownerKey, k -> new JobTrack());
        track.failed++;
        track.nextAttempt = Instant.now().plus(backoff(track.failed - 1));
      } else {
        p.restartAt = Instant.now().plus(backoff(p.restarts));
      }
    }
  }

  /** Marks the pod not ready at once, then stops its process after the drain delay and deletes its Pod. */
  private void stopPod(PodProcess p, String reason) {
    if (p.terminating) {
      return;
    }
    p.terminating = true;
    p.ready = false;
    p.restartAt = null;
    LOG.info("stopping pod {}: {}", p.key(), reason);
    publishPod(p);
    stopper.execute(() -> {
      ManagedProcess process = p.process;
      if (process != null && process.isAlive()) {
        try {
          Thread.sleep(ENDPOINT_DRAIN.toMillis());
        } catch (InterruptedException closing) {
          Thread.currentThread().interrupt();
        }
        process.stop(STOP_GRACE);
      }
      try {
        loop.execute(() -> removePod(p));
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // the kubelet is closing: close() stops what still runs
      }
    });
  }

  private void removePod(PodProcess p) {
    pods.remove(p.key());
    p.stopped = true;
    try {
      client.pods().inNamespace(p.namespace).withName(p.name).delete();
    } catch (KubernetesClientException e) {
      LOG.warn("cannot delete Pod {}: {}", p.key(), e.getMessage());
    }
    deleteQuietly(p.dir);
    requestSync();
  }

  private void probe(Instant now) {
    long nanos = System.nanoTime();
    for (PodProcess p : pods.values()) {
      if (p.terminating || p.finishedAt != null) {
        continue;
      }
      if (!p.running()) {
        p.ready = false;
        continue;
      }
      if (p.readinessPath == null) {
        p.ready = true;
        continue;
      }
      if (p.probeInFlight || nanos - p.lastProbeNanos < PROBE_PERIOD.toNanos()) {
        continue;
      }
      p.probeInFlight = true;
      p.lastProbeNanos = nanos;
      int timeout = Optional.ofNullable(p.container.getReadinessProbe().getTimeoutSeconds()).orElse(1);
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port + p.readinessPath))
          .timeout(Duration.ofSeconds(Math.max(1, timeout))).build();
      prober.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
        boolean ok = error == null && response.statusCode() >= 200 && response.statusCode() < 400;
        try {
          loop.execute(() -> probed(p, ok));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
          // shutting down
        }
      });
    }
  }

  private void probed(PodProcess p, boolean ok) {
    p.probeInFlight = false;
    if (p.terminating || !p.running()) {
      return;
    }
    boolean before = p.ready;
    if (ok) {
      p.probeFailures = 0;
      p.ready = true;
    } else {
      p.probeFailures++;
      int threshold = Optional.ofNullable(p.container.getReadinessProbe().getFailureThreshold()).orElse(3);
      if (p.probeFailures >= threshold) {
        p.ready = false;
      }
    }
    if (before != p.ready) {
      LOG.info("pod {} {}", p.key(), p.ready ? "ready (" + Duration.between(p.startedAt, Instant.now()).toMillis()
          + " ms after start)" : "not ready");
      requestSync();
    }
  }

  // ------------------------------------------------------------------------------------------ Pod objects

  private void publishPod(PodProcess p) {
    if (p.stopped) {
      return;
    }
    PodStatus status = podStatus(p);
    String signature = signature(status);
    if (signature.equals(p.writtenStatus)) {
      return;
    }
    try {
      if (!p.podObjectCreated) {
        Map<String, String> annotations = new LinkedHashMap<>(Optional.ofNullable(p.template.getMetadata())
            .map(m -> m.getAnnotations()).orElse(Map.of()));
        annotations.put(PORT_ANNOTATION, String.valueOf(p.port));
        Pod pod = new PodBuilder()
            .withNewMetadata().withName(p.name).withNamespace(p.namespace).withLabels(p.labels)
            .withAnnotations(annotations).withOwnerReferences(p.owner).endMetadata()
            .withSpec(new io.fabric8.kubernetes.api.model.PodSpecBuilder(p.template.getSpec()).withNodeName(NODE_NAME)
                .build())
            .withStatus(status)
            .build();
        client.pods().inNamespace(p.namespace).resource(pod).create();
        p.podObjectCreated = true;
      } else {
        Pod pod = new PodBuilder().withNewMetadata().withName(p.name).withNamespace(p.namespace).endMetadata()
            .withStatus(status).build();
        client.pods().inNamespace(p.namespace).resource(pod).updateStatus();
      }
      p.writtenStatus = signature;
    } catch (KubernetesClientException e) {
      LOG.warn("cannot write Pod {}: {}", p.key(), e.getMessage());
    }
  }

  /** Ignores timestamps that change on every call. */
  private static String signature(PodStatus status) {
    ContainerStatus c = status.getContainerStatuses().get(0);
    return status.getPhase() + "|" + c.getReady() + "|" + c.getRestartCount() + "|" + Serialization.asJson(c.getState())
        .replaceAll("\"(startedAt|finishedAt)\":\"[^\"]*\"", "");
  }

  private PodStatus podStatus(PodProcess p) {
    String now = time(Instant.now());
    String phase;
    ContainerState state;
    if (p.finishedAt != null) {
      phase = p.exitCode != null && p.exitCode == 0 ? "Succeeded" : "Failed";
      state = new ContainerStateBuilder().withNewTerminated().withExitCode(p.exitCode).withReason(p.terminationReason)
          .withMessage(p.terminationMessage).withStartedAt(time(p.startedAt)).withFinishedAt(time(p.finishedAt))
          .endTerminated().build();
    } else if (p.restartAt != null) {
      phase = "Running";
      state = new ContainerStateBuilder().withNewWaiting().withReason("CrashLoopBackOff")
          .withMessage("back-off restarting failed container " + p.container.getName()
              + (p.launchError != null ? ": " + p.launchError : ""))
          .endWaiting().build();
    } else if (p.running() || p.terminating) {
      phase = "Running";
      state = new ContainerStateBuilder().withNewRunning().withStartedAt(time(p.startedAt)).endRunning().build();
    } else {
      phase = "Pending";
      state = new ContainerStateBuilder().withNewWaiting().withReason("ContainerCreating").endWaiting().build();
    }
    ContainerStatusBuilder container = new ContainerStatusBuilder().withName(p.container.getName())
        .withImage(p.container.getImage()).withImageID("").withContainerID("local://" + (p.process == null ? ""
            : p.process.pid()))
        .withReady(p.ready).withStarted(p.running()).withRestartCount(p.restarts).withState(state);
    if (p.restarts > 0 && p.exitCode != null && p.finishedAt == null) {
      container.withNewLastState().withNewTerminated().withExitCode(p.exitCode).withReason("Error").endTerminated()
          .endLastState();
    }
    String ready = p.ready ? "True" : "False";
    List<PodCondition> conditions = List.of(
        podCondition("PodScheduled", "True", now), podCondition("Initialized", "True", now),
        podCondition("ContainersReady", ready, now), podCondition("Ready", ready, now));
    return new PodStatusBuilder().withPhase(phase).withConditions(conditions).withHostIP("127.0.0.1")
        .withPodIP("127.0.0.1").addNewPodIP("127.0.0.1").withStartTime(time(p.created))
        .withContainerStatuses(container.build()).withQosClass("Burstable").build();
  }

  private static PodCondition podCondition(String type, String status, String now) {
    return new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(now).build();
  }

  private void publishTargets() {
    if (targetSink == null) {
      return;
    }
    Set<ScrapeTarget> targets = new HashSet<>();
    for (PodProcess p : pods.values()) {
      if (p.job || p.process == null || p.stopped) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("namespace", p.namespace);
      labels.put("pod", p.name);
      labels.put("container", p.container.getName());
      for (String label : TARGET_LABELS) {
        if (p.labels.containsKey(label)) {
          labels.put(sanitize(label), p.labels.get(label));
        }
      }
      targets.add(new ScrapeTarget("127.0.0.1:" + p.port, labels));
    }
    if (!targets.equals(publishedTargets)) {
      targetSink.accept(targets);
      publishedTargets = targets;
    }
  }

  /** Prometheus' label-name sanitising: everything outside [a-zA-Z0-9_] becomes an underscore. */
  static String sanitize(String label) {
    return label.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  // ------------------------------------------------------------------------------------------ garbage collection

  /**
   * The garbage collector a real control plane runs: an object whose every owner (among the kinds watched
   * here) is gone is deleted. Owners are checked with a fresh read before anything is deleted, because the
   * informer of the owner may lag behind the one of its dependents.
   */
  private void collectGarbage() {
    Map<String, Set<String>> present = new HashMap<>();
    present.put("Deployment", uids(deployments.getStore().list()));
    present.put("Job", uids(jobs.getStore().list()));
    owners.forEach((kind, informer) -> present.put(kind, uids(informer.getStore().list())));

    List<HasMetadata> candidates = new ArrayList<>();
    candidates.addAll(deployments.getStore().list());
    candidates.addAll(jobs.getStore().list());
    candidates.addAll(client.services().inAnyNamespace().list().getItems());
    client.pods().inAnyNamespace().list().getItems().stream()
        .filter(pod -> !pods.containsKey(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()))
        .forEach(candidates::add);
    for (HasMetadata object : candidates) {
      List<OwnerReference> refs = Optional.ofNullable(object.getMetadata().getOwnerReferences()).orElse(List.of())
          .stream().filter(r -> present.containsKey(r.getKind())).toList();
      if (refs.isEmpty() || refs.stream().anyMatch(r -> present.get(r.getKind()).contains(r.getUid()))) {
        continue;
      }
      String namespace = object.getMetadata().getNamespace();
      if (refs.stream().anyMatch(r -> ownerExists(namespace, r))) {
        continue;
      }
      LOG.info("garbage collector: deleting {} {}/{}: its owner {} {} is gone", object.getKind(), namespace,
          object.getMetadata().getName(), refs.get(0).getKind(), refs.get(0).getName());
      try {
        client.resource(object).inNamespace(namespace).delete();
      } catch (KubernetesClientException e) {
        LOG.warn("garbage collector: cannot delete {} {}/{}: {}", object.getKind(), namespace,
            object.getMetadata().getName(), e.getMessage());
      }
    }
  }

  private boolean ownerExists(String namespace, OwnerReference ref) {
    HasMetadata owner = switch (ref.getKind()) {
      case "Deployment" -> client.apps().deployments().inNamespace(namespace).withName(ref.getName()).get();
      case "Job" -> client.batch().v1().jobs().inNamespace(namespace).withName(ref.getName()).get();
      default -> ownerKinds.stream().filter(k -> k.getKind().equals(ref.getKind())).findFirst()
          .map(k -> (HasMetadata) client.genericKubernetesResources(k).inNamespace(namespace).withName(ref.getName())
              .get())
          .orElse(null);
    };
    return owner != null && Objects.equals(owner.getMetadata().getUid(), ref.getUid());
  }

  private static Set<String> uids(List<? extends HasMetadata> objects) {
    Set<String> uids = new HashSet<>();
    objects.forEach(o -> uids.add(o.getMetadata().getUid()));
    return uids;
  }

  // ------------------------------------------------------------------------------------------ helpers

  /** The {@code modelpilot.io/revision} label of the template, else a hash of the template. */
  static String revisionOf(PodTemplateSpec template) {
    Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
    if (labels != null && labels.get(REVISION_LABEL) != null) {
      return labels.get(REVISION_LABEL);
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(Serialization.asJson(template).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String ownerKey(HasMetadata owner) {
    return owner.getKind() + "/" + owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName() + "/"
        + owner.getMetadata().getUid();
  }

  private static OwnerReference controllerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
        .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(true)
        .withBlockOwnerDeletion(true).build();
  }

  private String randomSuffix() {
    StringBuilder out = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      out.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
    }
    return out.toString();
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String readLimited(Path file) {
    try {
      if (!Files.exists(file)) {
        return null;
      }
      byte[] bytes = Files.readAllBytes(file);
      return new String(bytes, 0, Math.min(bytes.length, TERMINATION_MESSAGE_LIMIT), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  /** Kubernetes' fallback: the last 80 lines or 2048 bytes of the container log, whichever is smaller. */
  private static String logTail(Path log) {
    String tail = OperatorProcess.tail(log, 80);
    return tail.length() <= 2048 ? tail : tail.substring(tail.length() - 2048);
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("cannot delete {}: {}", dir, e.toString());
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> ResourceEventHandler<T> cast(ResourceEventHandler<HasMetadata> handler) {
    return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Stops every process (in parallel) and the informers; Pod objects stay, as on a node that goes away. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    informers.forEach(SharedIndexInformer::close);
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Thread> stopping = new ArrayList<>();
    for (PodProcess p : pods.values()) {
      ManagedProcess process = p.process;
      if (process != null && process.isAlive()) {
        Thread t = new Thread(() -> process.stop(Duration.ofSeconds(5)), "kubelet-close-" + p.name);
        t.start();
        stopping.add(t);
      }
    }
    for (Thread t : stopping) {
      try {
        t.join(20_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stopper.shutdownNow();
    LOG.info("kubelet stopped {} process(es)", stopping.size());
  }
}
