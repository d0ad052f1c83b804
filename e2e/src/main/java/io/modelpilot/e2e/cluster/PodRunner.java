package io.modelpilot.e2e.cluster;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import io.modelpilot.e2e.process.DaemonThreads;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.modelpilot.e2e.process.ContainerLauncher;
import io.modelpilot.e2e.process.ManagedProcess;
import io.modelpilot.e2e.process.Ports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * The node's part of the kubelet: the pods it runs, each container a host process. A Deployment's container that
 * exits or cannot start is started again with back-off (restartPolicy Always); a Job's runs once and ends with the
 * exit code, reason and termination message a kubelet reports. Stopping a pod takes it out of its Service first.
 *
 * <p>Called on the kubelet's loop thread; stops run on threads of their own and hand the removal back to the loop.
 */
final class PodRunner {

  private static final int TERMINATION_MESSAGE_LIMIT = 4096;
  private static final Logger LOG = LoggerFactory.getLogger(PodRunner.class);
  /** Between "not ready" and SIGTERM, so proxies stop sending to the pod first (a preStop sleep). */
  private static final Duration ENDPOINT_DRAIN = Duration.ofSeconds(1);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

  private final KubernetesClient client;
  private final ContainerLauncher launcher;
  private final Path podsDir;
  private final PodPublisher publisher;
  private final Executor loop;
  private final Runnable wake;
  private final ExecutorService stopper = Executors.newCachedThreadPool(DaemonThreads.named("kubelet-stop"));
  private final Map<String, PodProcess> pods = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();

  /**
   * @param loop runs a task on the kubelet's loop thread (nothing once the kubelet closes)
   * @param wake asks the kubelet for a sync soon
   */
  PodRunner(KubernetesClient client, ContainerLauncher launcher, Path podsDir, PodPublisher publisher, Executor loop,
      Runnable wake) {
    this.client = client;
    this.launcher = launcher;
    this.podsDir = podsDir;
    this.publisher = publisher;
    this.loop = loop;
    this.wake = wake;
  }

  /** Every pod, finished Job pods included, until it is removed. */
  Collection<PodProcess> pods() {
    return pods.values();
  }

  List<PodProcess> podsOf(String ownerKey) {
    return pods.values().stream().filter(p -> p.ownerKey.equals(ownerKey)).toList();
  }

  /** The pod, finished or not, or null when this kubelet does not have it. */
  PodProcess pod(String namespace, String name) {
    return pods.get(namespace + "/" + name);
  }

  boolean runs(String namespace, String name) {
    return pods.containsKey(namespace + "/" + name);
  }

  /**
   * Creates a pod of {@code owner} named {@code <prefix>-<random suffix>} and starts its container. A Job's pod
   * whose container cannot start comes back finished (StartError); any other is retried with back-off.
   */
  PodProcess start(HasMetadata owner, PodTemplateSpec template, String prefix, String revision,
      Map<String, String> labels, boolean job) {
    PodProcess p = new PodProcess(owner, prefix + "-" + randomSuffix(), revision, labels, template, Ports.free(),
        podsDir, job);
    pods.put(p.key(), p);
    launch(p);
    return p;
  }

  /** restartPolicy Always: a container that exited starts again after a back-off that grows with each restart. */
  void restartIfCrashed(PodProcess p, Instant now) {
    if (p.terminating || p.job) {
      return;
    }
    if (p.exitedUnhandled()) {
      p.exitCode = p.process.exitCode();
      p.ready = false;
      // as a kubelet keeps it in lastState.terminated.message: why the container stopped, if it said
      String message = readLimited(p.terminationFile);
      p.terminationMessage = message == null || message.isEmpty() ? null : message;
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

  /**
   * The container of a run-once pod ended (or never started): its exit code, reason and termination message, the
   * message read from the termination file as a kubelet reads {@code terminationMessagePath}.
   */
  void finish(PodProcess p, Instant now) {
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
    wake.run();
  }

  /** Marks the pod not ready at once, then stops its process after the drain delay and deletes its Pod. */
  void stop(PodProcess p, String reason) {
    if (p.terminating) {
      return;
    }
    p.terminating = true;
    p.ready = false;
    p.restartAt = null;
    LOG.info("stopping pod {}: {}", p.key(), reason);
    publisher.publish(p);
    ManagedProcess running = p.process;
    // drain first (a preStop sleep): the stop runs after the delay, no thread sleeps through it
    Executor afterDrain = running != null && running.isAlive()
        ? CompletableFuture.delayedExecutor(ENDPOINT_DRAIN.toMillis(), TimeUnit.MILLISECONDS, stopper) : stopper;
    afterDrain.execute(() -> {
      ManagedProcess process = p.process;
      if (process != null && process.isAlive()) {
        process.stop(STOP_GRACE);
      }
      loop.execute(() -> remove(p));
    });
  }

  /** Kubernetes doubles a crash-looping container's delay from 10 s up to 5 min; here from 1 s up to 30 s. */
  static Duration backoff(int restarts) {
    return Duration.ofSeconds(Math.min(30, 1L << Math.min(restarts, 5)));
  }

  /** Stops every process in parallel, as a node going away; Pod objects stay. Returns how many ran. */
  int stopAll() {
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
    return stopping.size();
  }

  private void launch(PodProcess p) {
    try {
      Files.deleteIfExists(p.terminationFile);
      ContainerLauncher.Launch launch = launcher.prepare(new ContainerLauncher.PodMeta(p.namespace, p.name, p.labels,
          p.template.getMetadata() == null ? null : p.template.getMetadata().getAnnotations()), p.template.getSpec(),
          p.container, p.dir, p.port, p.terminationFile);
      p.readinessPath = launch.readinessPath();
      p.launchError = null;
      p.probeFailures = 0;
      p.process = ManagedProcess.start(p.key(), launch.command(), launch.environment(), p.log, p.dir);
      p.startedAt = Instant.now();
      p.process.onExit().thenRun(wake);
    } catch (IOException | RuntimeException e) {
      p.launchError = "cannot start the container: " + e.getMessage();
      LOG.warn("pod {}: {}", p.key(), p.launchError);
      if (p.job) {
        finish(p, Instant.now());
      } else {
        p.restartAt = Instant.now().plus(backoff(p.restarts));
      }
    }
  }

  private void remove(PodProcess p) {
    pods.remove(p.key());
    p.stopped = true;
    try {
      client.pods().inNamespace(p.namespace).withName(p.name).delete();
    } catch (KubernetesClientException e) {
      LOG.warn("cannot delete Pod {}: {}", p.key(), e.getMessage());
    }
    deleteQuietly(p.dir);
    wake.run();
  }

  private String randomSuffix() {
    StringBuilder out = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      out.append(NAME_CHARS.charAt(random.nextInt(NAME_CHARS.length())));
    }
    return out.toString();
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
    String tail = ManagedProcess.tail(log, 80);
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
}
