package io.modelpilot.e2e.process;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns a pod's container into a host process. The only image the local cluster can run is the runtime
 * image: its entry point becomes {@code java -jar runtime-image/target/quarkus-app/quarkus-run.jar} with
 * the container's arguments. A container with a {@code command} found on this machine (say {@code sh})
 * runs that command instead, so a test can play a user's trial container.
 *
 * <p>Paths inside the container map to host paths: {@code /models} (the example models in the image),
 * {@code /app} (the application), each volume mount (emptyDir and Secret/ConfigMap volumes are
 * materialised under the pod directory, a PVC is a directory of {@code claimRoot}) and the termination
 * message path. Environment values and arguments that name such a path, plain or as {@code file://}, are
 * rewritten.
 */
public final class ContainerLauncher {

  private static final String DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";
  private static final String PORT_VARIABLE = "QUARKUS_HTTP_PORT";
  private static final java.util.regex.Pattern FIELD_KEY =
      java.util.regex.Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

  /** What to run for a container. {@code readinessPath} is null when the container has no HTTP readiness probe. */
  public record Launch(List<String> command, Map<String, String> environment, Path tmpDir, String readinessPath) {
  }

  private final RepoLayout repo;
  private final KubernetesClient client;
  private final Function<String, Path> claimDirectory;
  private final List<String> runtimeJvmOptions;

  public ContainerLauncher(RepoLayout repo, KubernetesClient client, Function<String, Path> claimDirectory,
      List<String> runtimeJvmOptions) {
    this.repo = repo;
    this.client = client;
    this.claimDirectory = claimDirectory;
    this.runtimeJvmOptions = List.copyOf(runtimeJvmOptions);
  }

  /** The pod's own metadata, which the downward API hands to its containers. */
  public record PodMeta(String namespace, String name, Map<String, String> labels, Map<String, String> annotations) {
    public PodMeta {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
  }

  /**
   * @param port the loopback port the process listens on (QUARKUS_HTTP_PORT)
   * @param terminationFile host file standing for the container's termination message path
   */
  public Launch prepare(PodMeta pod, PodSpec spec, Container container, Path podDir, int port, Path terminationFile) {
    String namespace = pod.namespace();
    String podName = pod.name();
    Map<String, Path> mounts = mounts(namespace, spec, container, podDir);
    mounts.put(Optional.ofNullable(container.getTerminationMessagePath()).orElse(DEFAULT_TERMINATION_MESSAGE_PATH),
        terminationFile);
    Path tmp = mounts.getOrDefault("/tmp", podDir.resolve("tmp"));
    mkdirs(tmp);

    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOSTNAME", podName);
    for (EnvFromSource from : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
      envFrom(namespace, from).forEach((k, v) -> env.put((from.getPrefix() == null ? "" : from.getPrefix()) + k, v));
    }
    for (EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
      String value = var.getValueFrom() != null ? valueFrom(pod, var.getValueFrom()) : var.getValue();
      if (value != null) {
        env.put(var.getName(), mapPath(value, mounts));
      }
    }
    env.put(PORT_VARIABLE, String.valueOf(port));
    env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    env.put("MODELPILOT_TERMINATION_MESSAGE_PATH", terminationFile.toString());

    List<String> args = Optional.ofNullable(container.getArgs()).orElse(List.of()).stream()
        .map(a -> mapPath(a, mounts)).toList();
    List<String> command = new ArrayList<>();
    List<String> entry = Optional.ofNullable(container.getCommand()).orElse(List.of());
    if (entry.isEmpty() || isRuntimeEntryPoint(entry)) {
      command.add(ManagedProcess.javaBinary());
      command.addAll(runtimeJvmOptions);
      command.add("-Djava.io.tmpdir=" + tmp);
      command.add("-jar");
      command.add(RepoLayout.awaitJar(repo.runtimeJar(), java.time.Duration.ofMinutes(2)).toString());
      command.addAll(withOutput(args, terminationFile));
    } else {
      String executable = entry.get(0);
      Path found = onPath(executable).orElseThrow(() -> new IllegalArgumentException(
          "container " + container.getName() + " runs '" + executable + "', which is neither the runtime image's "
              + "entry point nor a command on this machine"));
      command.add(found.toString());
      entry.subList(1, entry.size()).forEach(a -> command.add(mapPath(a, mounts)));
      command.addAll(args);
      // a shell line such as "echo {...} > /dev/termination-log" names the path inside a longer argument
      String messagePath = Optional.ofNullable(container.getTerminationMessagePath())
          .orElse(DEFAULT_TERMINATION_MESSAGE_PATH);
      command.replaceAll(a -> a.replace(messagePath, terminationFile.toString()));
    }
    return new Launch(command, env, tmp, readinessPath(container));
  }

  /** {@code bench} writes its result where {@code --output} says; point it at the termination file. */
  private static List<String> withOutput(List<String> args, Path terminationFile) {
    if (args.isEmpty() || !args.get(0).equals("bench")) {
      return args;
    }
    List<String> out = new ArrayList<>(args);
    int i = out.indexOf("--output");
    if (i >= 0 && i + 1 < out.size()) {
      out.set(i + 1, terminationFile.toString());
    } else {
      out.add("--output");
      out.add(terminationFile.toString());
    }
    return out;
  }

  private static boolean isRuntimeEntryPoint(List<String> entry) {
    return entry.get(0).endsWith("java") && entry.contains("/app/quarkus-run.jar");
  }

  private static String readinessPath(Container container) {
    if (container.getReadinessProbe() == null || container.getReadinessProbe().getHttpGet() == null) {
      return null;
    }
    String path = container.getReadinessProbe().getHttpGet().getPath();
    return path == null || path.isEmpty() ? "/" : path;
  }

  private Map<String, Path> mounts(String namespace, PodSpec spec, Container container, Path podDir) {
    Map<String, Path> mounts = new LinkedHashMap<>();
    mounts.put("/models", repo.exampleModels());
    mounts.put("/app", repo.runtimeJar().getParent());
    Map<String, Volume> volumes = new LinkedHashMap<>();
    Optional.ofNullable(spec.getVolumes()).orElse(List.of()).forEach(v -> volumes.put(v.getName(), v));
    for (VolumeMount mount : Optional.ofNullable(container.getVolumeMounts()).orElse(List.of())) {
      Volume volume = volumes.get(mount.getName());
      if (volume == null) {
        continue;
      }
      Path host = volumeDirectory(namespace, volume, podDir);
      if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
        host = host.resolve(mount.getSubPath());
      }
      mounts.put(mount.getMountPath(), host);
    }
    return mounts;
  }

  private Path volumeDirectory(String namespace, Volume volume, Path podDir) {
    Path dir = podDir.resolve("volumes").resolve(volume.getName());
    if (volume.getPersistentVolumeClaim() != null) {
      return claimDirectory.apply(volume.getPersistentVolumeClaim().getClaimName());
    }
    if (volume.getHostPath() != null) {
      return Path.of(volume.getHostPath().getPath());
    }
    mkdirs(dir);
    if (volume.getSecret() != null) {
      Secret secret = client.secrets().inNamespace(namespace).withName(volume.getSecret().getSecretName()).get();
      // a missing Secret: an empty directory, as a kubelet mounts an optional one (a required one would keep the
      // pod from starting; the local cluster starts it anyway)
      if (secret != null) {
        // the bytes as they are: a key of random bytes is no UTF-8 text
        Optional.ofNullable(secret.getData()).orElse(Map.of()).forEach((name, base64) ->
            writeBytes(dir.resolve(name), Base64.getDecoder().decode(base64)));
        writeFiles(dir, Optional.ofNullable(secret.getStringData()).orElse(Map.of()));
      } else if (!Boolean.TRUE.equals(volume.getSecret().getOptional())) {
        // as kubelet: the container does not start while a Secret it mounts (not optional) is missing
        throw new IllegalStateException("MountVolume.SetUp failed for volume \"" + volume.getName() + "\" : secret \""
            + volume.getSecret().getSecretName() + "\" not found");
      }
    } else if (volume.getConfigMap() != null) {
      ConfigMap map = client.configMaps().inNamespace(namespace).withName(volume.getConfigMap().getName()).get();
      if (map != null && map.getData() != null) {
        writeFiles(dir, map.getData());
      }
    }
    return dir;
  }

  private String valueFrom(PodMeta pod, EnvVarSource source) {
    String namespace = pod.namespace();
    if (source.getFieldRef() != null) {
      String field = source.getFieldRef().getFieldPath();
      java.util.regex.Matcher keyed = FIELD_KEY.matcher(field);
      if (keyed.matches()) {
        // as a kubelet: metadata.labels['k'] is the label's value, or empty when the pod has no such label
        Map<String, String> from = keyed.group(1).equals("labels") ? pod.labels() : pod.annotations();
        return from.getOrDefault(keyed.group(2), "");
      }
      return switch (field) {
        case "metadata.name" -> pod.name();
        case "metadata.namespace" -> namespace;
        case "status.podIP", "status.hostIP" -> "127.0.0.1";
        case "spec.nodeName" -> "local";
        default -> null;
      };
    }
    if (source.getSecretKeyRef() != null) {
      Secret secret = client.secrets().inNamespace(namespace).withName(source.getSecretKeyRef().getName()).get();
      return secret == null ? null : decode(secret.getData()).get(source.getSecretKeyRef().getKey());
    }
    if (source.getConfigMapKeyRef() != null) {
      ConfigMap map = client.configMaps().inNamespace(namespace).withName(source.getConfigMapKeyRef().getName()).get();
      return map == null || map.getData() == null ? null : map.getData().get(source.getConfigMapKeyRef().getKey());
    }
    return null;
  }

  private Map<String, String> envFrom(String namespace, EnvFromSource from) {
    if (from.getSecretRef() != null) {
      Secret secret = client.secrets().inNamespace(namespace).withName(from.getSecretRef().getName()).get();
      return secret == null ? Map.of() : decode(secret.getData());
    }
    if (from.getConfigMapRef() != null) {
      ConfigMap map = client.configMaps().inNamespace(namespace).withName(from.getConfigMapRef().getName()).get();
      return map == null || map.getData() == null ? Map.of() : map.getData();
    }
    return Map.of();
  }

  /** {@code value} with a container path (plain or {@code file://}) replaced by its host path; longest mount wins. */
  static String mapPath(String value, Map<String, Path> mounts) {
    String prefix = value.startsWith("file://") ? "file://" : "";
    String path = value.substring(prefix.length());
    if (!path.startsWith("/")) {
      return value;
    }
    return mounts.entrySet().stream()
        .filter(m -> path.equals(m.getKey()) || path.startsWith(m.getKey().endsWith("/") ? m.getKey() : m.getKey() + "/"))
        .max(Comparator.comparingInt(m -> m.getKey().length()))
        .map(m -> prefix + m.getValue() + path.substring(m.getKey().length()))
        .orElse(value);
  }

  private static Map<String, String> decode(Map<String, String> data) {
    Map<String, String> decoded = new LinkedHashMap<>();
    if (data != null) {
      data.forEach((k, v) -> decoded.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    return decoded;
  }

  private static void writeFiles(Path dir, Map<String, String> files) {
    files.forEach((name, content) -> {
      try {
        Files.writeString(dir.resolve(name), content);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static void writeBytes(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<Path> onPath(String executable) {
    if (executable.contains("/")) {
      Path p = Path.of(executable);
      return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(dir, executable);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  private static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
