package io.modelpilot.e2e.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** Where the local cluster finds what the build made: the packaged jars, the CRDs, the example models. */
public record RepoLayout(Path root) {

  public static final String REPO_ROOT_PROPERTY = "repo.root";

  /** The {@code repo.root} system property, else the first directory upwards with {@code mvnw} and {@code crds/}. */
  public static RepoLayout discover() {
    String configured = System.getProperty(REPO_ROOT_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return new RepoLayout(Path.of(configured).toAbsolutePath().normalize());
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("crds"))) {
        return new RepoLayout(dir);
      }
    }
    throw new IllegalStateException("cannot find the repository root (a directory with mvnw and crds/) above "
        + Path.of("").toAbsolutePath() + "; set -D" + REPO_ROOT_PROPERTY + "=<path>");
  }

  public Path operatorJar() {
    return root.resolve("operator/target/quarkus-app/quarkus-run.jar");
  }

  public Path runtimeJar() {
    return root.resolve("runtime-image/target/quarkus-app/quarkus-run.jar");
  }

  /** What the runtime image ships at {@code /models} (runtime-image/Dockerfile copies examples/models/*.onnx). */
  public Path exampleModels() {
    return root.resolve("examples/models");
  }

  public Path example(String file) {
    return root.resolve("examples").resolve(file);
  }

  public List<Path> crdFiles() {
    try (Stream<Path> files = Files.list(root.resolve("crds"))) {
      return files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + root.resolve("crds"), e);
    }
  }

  /**
   * Waits for a packaged jar: another build may be rewriting it right now. Fails with the command that builds
   * it when it stays missing.
   */
  static Path awaitJar(Path jar, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!isComplete(jar)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(jar + " is missing: build it first with "
            + "./mvnw -B package -DskipTests (the local cluster runs the packaged applications)");
      }
      sleep(Duration.ofMillis(500));
    }
    return jar;
  }

  /** A fast-jar launcher is only usable with its lib/ and app/ beside it. */
  private static boolean isComplete(Path jar) {
    Path app = jar.getParent();
    return Files.isRegularFile(jar) && Files.isDirectory(app.resolve("lib")) && Files.isDirectory(app.resolve("app"))
        && Files.isDirectory(app.resolve("quarkus"));
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
