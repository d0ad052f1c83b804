package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What a failing scenario leaves behind: every custom resource with its status, the Events, Deployments,
 * Pods, Services and Jobs as YAML, the kubelet's process table, and the operator, Prometheus and runtime
 * logs. Each part is written on its own, so one that fails (the API server is gone) does not hide the rest.
 */
final class Diagnostics {

  private static final Logger LOG = LoggerFactory.getLogger(Diagnostics.class);

  private Diagnostics() {
  }

  static void dump(LocalCluster cluster, Path dir) {
    if (!fresh(dir)) {
      return;
    }
    KubernetesClient client = cluster.client();
    if (client != null) {
      objects(client, cluster.customKinds(), dir);
    }
    if (cluster.kubelet() != null) {
      write(dir, "kubelet.txt", () -> cluster.kubelet().describe());
    }
    // every operator replica's log: operator.log, operator-1.log, ...
    try (Stream<Path> logs = Files.list(cluster.runDir())) {
      logs.filter(p -> p.getFileName().toString().matches("operator(-\\d+)?\\.log"))
          .forEach(log -> copy(log, dir.resolve(log.getFileName())));
    } catch (IOException e) {
      LOG.warn("cannot list {}: {}", cluster.runDir(), e.toString());
    }
    copy(cluster.runDir().resolve("prometheus/prometheus.log"), dir.resolve("prometheus.log"));
    copy(cluster.runDir().resolve("prometheus/targets.json"), dir.resolve("prometheus-targets.json"));
    Path pods = cluster.runDir().resolve("pods");
    if (Files.isDirectory(pods)) {
      try (Stream<Path> logs = Files.list(pods)) {
        logs.filter(p -> p.toString().endsWith(".log"))
            .forEach(log -> copy(log, dir.resolve("pods").resolve(log.getFileName())));
      } catch (IOException e) {
        LOG.warn("cannot list {}: {}", pods, e.toString());
      }
    }
    LOG.info("diagnostics written to {}", dir);
  }

  /** A real cluster's part: the objects, and the logs of every pod in {@code logNamespaces} through the API. */
  static void dump(KubernetesClient client, List<ResourceDefinitionContext> kinds, Collection<String> logNamespaces,
      Path dir) {
    if (!fresh(dir)) {
      return;
    }
    objects(client, kinds, dir);
    for (String ns : logNamespaces) {
      List<Pod> pods;
      try {
        pods = client.pods().inNamespace(ns).list().getItems();
      } catch (RuntimeException e) {
        LOG.warn("diagnostics: cannot list the pods of {}: {}", ns, e.toString());
        continue;
      }
      for (Pod pod : pods) {
        String name = pod.getMetadata().getName();
        write(dir, "pods/" + ns + "_" + name + ".log",
            () -> client.pods().inNamespace(ns).withName(name).inContainer(pod.getSpec().getContainers().get(0)
                .getName()).getLog());
      }
    }
    LOG.info("diagnostics written to {}", dir);
  }

  private static boolean fresh(Path dir) {
    try {
      if (Files.exists(dir)) {
        try (Stream<Path> old = Files.walk(dir)) {
          old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      Files.createDirectories(dir.resolve("pods"));
      return true;
    } catch (IOException e) {
      LOG.warn("cannot create {}: {}", dir, e.toString());
      return false;
    }
  }

  private static void objects(KubernetesClient client, List<ResourceDefinitionContext> kinds, Path dir) {
    for (ResourceDefinitionContext kind : kinds) {
      write(dir, kind.getPlural() + ".yaml",
          () -> yaml(client.genericKubernetesResources(kind).inAnyNamespace().list()));
    }
    write(dir, "events.yaml", () -> yaml(client.v1().events().inAnyNamespace().list()));
    write(dir, "events.txt", () -> events(client.v1().events().inAnyNamespace().list().getItems()));
    write(dir, "deployments.yaml", () -> yaml(client.apps().deployments().inAnyNamespace().list()));
    write(dir, "pods.yaml", () -> yaml(client.pods().inAnyNamespace().list()));
    write(dir, "services.yaml", () -> yaml(client.services().inAnyNamespace().list()));
    write(dir, "jobs.yaml", () -> yaml(client.batch().v1().jobs().inAnyNamespace().list()));
    // who leads the operator replicas, since when, and how often it changed hands
    write(dir, "leases.yaml", () -> yaml(client.leases().inAnyNamespace().list()));
  }

  private static String yaml(KubernetesResourceList<?> list) {
    return Serialization.asYaml(list.getItems());
  }

  private static String events(List<Event> events) {
    StringBuilder out = new StringBuilder();
    events.stream()
        .sorted(Comparator.comparing(e -> Objects.requireNonNullElse(e.getLastTimestamp(),
            Objects.requireNonNullElse(e.getFirstTimestamp(), ""))))
        .forEach(e -> out.append("%s %-7s %-24s %s/%s %s: %s%n".formatted(
            Objects.requireNonNullElse(e.getLastTimestamp(), e.getFirstTimestamp()), e.getType(), e.getReason(),
            e.getInvolvedObject().getKind(), e.getInvolvedObject().getNamespace() + "/" + e.getInvolvedObject().getName(),
            e.getCount() == null ? "" : "x" + e.getCount(), e.getMessage())));
    return out.toString();
  }

  private static void write(Path dir, String file, Supplier<String> content) {
    try {
      Files.writeString(dir.resolve(file), content.get());
    } catch (IOException | RuntimeException e) {
      LOG.warn("diagnostics: cannot write {}: {}", file, e.toString());
    }
  }

  private static void copy(Path from, Path to) {
    if (!Files.exists(from)) {
      return;
    }
    try {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      LOG.warn("diagnostics: cannot copy {}: {}", from, e.toString());
    }
  }
}
