package io.modelpilot.e2e;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pod the kubelet runs: a single container as a host process on its own loopback port. Mutated only
 * on the kubelet's loop thread; fields other threads read are volatile.
 */
final class PodProcess {

  private static final AtomicLong SEQUENCE = new AtomicLong();

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

  PodProcess(String namespace, String name, OwnerReference owner, String ownerKey, String revision,
      Map<String, String> labels, PodTemplateSpec template, Container container, int port, Path podsDir, boolean job) {
    this.namespace = namespace;
    this.name = name;
    this.owner = owner;
    this.ownerKey = ownerKey;
    this.revision = revision;
    this.labels = Map.copyOf(labels);
    this.template = template;
    this.container = container;
    this.port = port;
    this.dir = podsDir.resolve(namespace + "_" + name);
    this.log = podsDir.resolve(namespace + "_" + name + ".log");
    this.terminationFile = dir.resolve("termination-log");
    this.job = job;
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

  Kubelet.PodInfo info() {
    ManagedProcess p = process;
    return new Kubelet.PodInfo(namespace, name, owner.getKind(), owner.getName(), revision, labels, port,
        p == null ? null : p.handle(), ready, restarts, terminating, exitCode, terminationMessage, log);
  }
}
