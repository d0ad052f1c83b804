package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The Deployment controller, without ReplicaSets: keeps {@code spec.replicas} pods of the current template (a
 * crashed container restarts in place), rolls a new template out as a rolling update or by Recreate as
 * {@link RolloutPlanner} plans it, and writes the Deployment's status ({@link DeploymentStatuses}) with its
 * progress deadline.
 */
final class DeploymentController {

  /** The operator names each revision of the template with it; other templates are told apart by a hash. */
  static final String REVISION_LABEL = "modelpilot.io/revision";
  private static final Logger LOG = LoggerFactory.getLogger(DeploymentController.class);

  private final KubernetesClient client;
  private final PodRunner runner;
  private final Map<String, Track> tracks = new HashMap<>();

  /** What the controller remembers of one Deployment between syncs. */
  private static final class Track {
    String revision;
    String progress;
    Instant progressAt;
    DeploymentStatus written;
  }

  /** The strategy resolved against the desired replicas, as Kubernetes resolves it. */
  private record Strategy(boolean recreate, int maxSurge, int maxUnavailable) {

    static Strategy of(DeploymentStrategy strategy, int desired) {
      if (strategy != null && "Recreate".equals(strategy.getType())) {
        return new Strategy(true, 0, desired);
      }
      var rolling = strategy == null ? null : strategy.getRollingUpdate();
      IntOrString surge = rolling == null ? null : rolling.getMaxSurge();
      IntOrString unavailable = rolling == null ? null : rolling.getMaxUnavailable();
      int maxSurge = RolloutPlanner.resolve(surge, desired, true);
      int maxUnavailable = RolloutPlanner.resolve(unavailable, desired, false);
      // both zero would block every rollout; Kubernetes then lets one pod be unavailable
      return new Strategy(false, maxSurge, maxSurge == 0 && maxUnavailable == 0 ? 1 : maxUnavailable);
    }
  }

  DeploymentController(KubernetesClient client, PodRunner runner) {
    this.client = client;
    this.runner = runner;
  }

  void sync(Deployment d, Instant now) {
    String key = PodProcess.ownerKey(d);
    String revision = revisionOf(d.getSpec().getTemplate());
    int desired = Optional.ofNullable(d.getSpec().getReplicas()).orElse(1);
    Strategy strategy = Strategy.of(d.getSpec().getStrategy(), desired);
    for (PodProcess p : runner.podsOf(key)) {
      runner.restartIfCrashed(p, now);
    }
    if (!Boolean.TRUE.equals(d.getSpec().getPaused())) {
      rollOut(d, key, revision, desired, strategy);
    }
    writeStatus(d, key, revision, desired, strategy.maxUnavailable(), now);
  }

  /** Forgets the Deployments that are gone. */
  void retainOnly(Set<String> ownerKeys) {
    tracks.keySet().retainAll(ownerKeys);
  }

  private void rollOut(Deployment d, String key, String revision, int desired, Strategy strategy) {
    List<PodProcess> mine = runner.podsOf(key);
    List<PodProcess> live = mine.stream().filter(p -> !p.terminating).toList();
    RolloutPlanner.Plan plan = RolloutPlanner.plan(strategy.recreate(), desired, strategy.maxSurge(),
        strategy.maxUnavailable(),
        live.stream().map(p -> new RolloutPlanner.PodView(p.name, p.revision.equals(revision), p.ready, p.sequence))
            .toList(), mine.size() - live.size());
    for (String name : plan.stop()) {
      PodProcess p = live.stream().filter(pod -> pod.name.equals(name)).findFirst().orElseThrow();
      boolean current = p.revision.equals(revision);
      runner.stop(p, current ? "scaled down to " + desired : "replaced by revision " + revision);
    }
    for (int i = 0; i < plan.start(); i++) {
      startPod(d, revision);
    }
  }

  private void startPod(Deployment d, String revision) {
    PodTemplateSpec template = d.getSpec().getTemplate();
    Map<String, String> labels = new LinkedHashMap<>(Optional.ofNullable(template.getMetadata().getLabels())
        .orElse(Map.of()));
    labels.putIfAbsent("pod-template-hash", revision);
    PodProcess p = runner.start(d, template, d.getMetadata().getName() + "-" + revision, revision, labels, false);
    LOG.info("Deployment {}/{}: started pod {} on port {} (revision {})", p.namespace, d.getMetadata().getName(),
        p.name, p.port, revision);
  }

  private void writeStatus(Deployment d, String key, String revision, int desired, int maxUnavailable, Instant now) {
    Track track = tracks.computeIfAbsent(key, k -> new Track());
    List<PodProcess> live = runner.podsOf(key).stream().filter(p -> !p.terminating).toList();
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
}
