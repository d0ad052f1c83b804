package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * The garbage collector a real control plane runs, which the mock API server lacks: an object whose every owner
 * (among the kinds watched here) is gone is deleted. Runs when an informer saw a deletion, else every 2 s.
 */
final class GarbageCollector {

  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
  private static final Duration PERIOD = Duration.ofSeconds(2);

  private final KubernetesClient client;
  private final Map<String, SharedIndexInformer<? extends HasMetadata>> informers;
  private final List<ResourceDefinitionContext> ownerKinds;
  private final BiPredicate<String, String> kubeletPod;
  private long lastRunNanos;
  private volatile boolean requested;

  /**
   * @param informers the informer of each owner kind by kind name: Deployment, Job and each of {@code ownerKinds}.
   *     Read at each collection, so the kubelet fills it as it starts them, after this collector exists to hear
   *     of deletions
   * @param kubeletPod whether the kubelet runs the pod of this namespace and name: it removes those itself, once
   *     their processes have stopped
   */
  GarbageCollector(KubernetesClient client, Map<String, SharedIndexInformer<? extends HasMetadata>> informers,
      List<ResourceDefinitionContext> ownerKinds, BiPredicate<String, String> kubeletPod) {
    this.client = client;
    this.informers = informers;
    this.ownerKinds = List.copyOf(ownerKinds);
    this.kubeletPod = kubeletPod;
  }

  /** An owner was deleted: collect on the next call of {@link #collectIfDue()}. From any thread. */
  void request() {
    requested = true;
  }

  void collectIfDue() {
    if (requested || System.nanoTime() - lastRunNanos > PERIOD.toNanos()) {
      requested = false;
      lastRunNanos = System.nanoTime();
      collect();
    }
  }

  /**
   * Owners are checked with a fresh read before anything is deleted, because the informer of the owner may lag
   * behind the one of its dependents.
   */
  private void collect() {
    Map<String, Set<String>> present = new HashMap<>();
    informers.forEach((kind, informer) -> present.put(kind, uids(informer.getStore().list())));

    List<HasMetadata> candidates = new ArrayList<>();
    candidates.addAll(informers.get("Deployment").getStore().list());
    candidates.addAll(informers.get("Job").getStore().list());
    candidates.addAll(client.services().inAnyNamespace().list().getItems());
    client.pods().inAnyNamespace().list().getItems().stream()
        .filter(pod -> !kubeletPod.test(pod.getMetadata().getNamespace(), pod.getMetadata().getName()))
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
}
