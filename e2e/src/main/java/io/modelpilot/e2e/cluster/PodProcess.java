package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.modelpilot.e2e.process.ManagedProcess;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pod the kubelet runs: a single container as a host process on its own loopback port, and what each part
 * of the kubelet keeps about it (restarts, probe results, the status last written). Mutated only on the
 * kubelet's loop thread; fields other threads read are volatile.
 */
final class PodProcess {

  private static final AtomicLong SEQUENCE = new AtomicLong();
  /** The newest part of a container log served through the API, as a kubelet's log rotation would bound it. */
  private static final int MAX_LOG_BYTES = 10 * 1024 * 1024;

  final String namespace;
  final String name;
  final OwnerReference owner;
  final String ownerKey;
  final String revision;
  final Map<String, String> labels;
  final PodTemplateSpec template;
  final Container container;
  final int port;
  final Path dir;
  final Path log;
  final Path terminationFile;
  final Instant created = Instant.now();
  final long sequence = SEQUENCE.incrementAndGet();
  /** A Job's pod: its container runs once (restartPolicy Never) and its termination message is kept. */
  final boolean job;

  volatile ManagedProcess process;
  volatile String readinessPath;
  volatile Instant startedAt;
  volatile boolean ready;
  volatile int restarts;
  volatile boolean terminating;
  volatile boolean stopped;
  volatile Integer exitCode;
  volatile String terminationMessage;
  volatile String terminationReason;
  volatile Instant finishedAt;
  /** Set while a crashed container waits for its restart (CrashLoopBackOff). */
  volatile Instant restartAt;
  volatile String launchError;

  int probeFailures;
  boolean probeInFlight;
  long lastProbeNanos;
  boolean podObjectCreated;
  String writtenStatus;

  /** The pod runs the first container of {@code template}; {@code owner} is its controller. */
  PodProcess(HasMetadata owner, String name, String revision, Map<String, String> labels, PodTemplateSpec template,
      int port, Path podsDir, boolean job) {
    this.namespace = owner.getMetadata().getNamespace();
    this.name = name;
    this.owner = controllerReference(owner);
    this.ownerKey = ownerKey(owner);
    this.revision = revision;
    this.labels = Map.copyOf(labels);
    this.template = template;
    this.container = template.getSpec().getContainers().get(0);
    this.port = port;
    this.dir = podsDir.resolve(namespace + "_" + name);
    this.log = podsDir.resolve(namespace + "_" + name + ".log");
    this.terminationFile = dir.resolve("termination-log");
    this.job = job;
  }

  /**
   * Tells an owner from a later one of the same name (the uid), so that the pods of a deleted and recreated
   * Deployment are not taken for the new one's.
   */
  static String ownerKey(HasMetadata owner) {
    return owner.getKind() + "/" + owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName() + "/"
        + owner.getMetadata().getUid();
  }

  private static OwnerReference controllerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
        .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid()).withController(true)
        .withBlockOwnerDeletion(true).build();
  }

  String key() {
    return namespace + "/" + name;
  }

  boolean running() {
    ManagedProcess p = process;
    return p != null && p.isAlive();
  }

  /** The process ended and the kubelet has not handled that yet. */
  boolean exitedUnhandled() {
    ManagedProcess p = process;
    return p != null && !p.isAlive() && restartAt == null && !terminating && finishedAt == null;
  }

  /**
   * What {@code kubectl logs} shows: the current container's output (stdout and stderr), without the lines the
   * harness writes before each start; null when nothing could be read.
   */
  String containerLog() {
    ManagedProcess p = process;
    if (p == null) {
      return ""; // not started yet, or it could not start: no output
    }
    try (SeekableByteChannel in = Files.newByteChannel(log)) {
      long from = Math.max(p.outputStart(), in.size() - MAX_LOG_BYTES);
      ByteBuffer bytes = ByteBuffer.allocate((int) Math.max(0, in.size() - from));
      in.position(from);
      while (bytes.hasRemaining() && in.read(bytes) > 0) {
        // until the buffer is full or the file ends
      }
      return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  Kubelet.PodInfo info() {
    ManagedProcess p = process;
    return new Kubelet.PodInfo(namespace, name, owner.getKind(), owner.getName(), revision, labels, port,
        p == null ? null : p.handle(), ready, restarts, terminating, exitCode, terminationMessage, log);
  }
}
