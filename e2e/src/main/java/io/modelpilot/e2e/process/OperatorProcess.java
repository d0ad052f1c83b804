package io.modelpilot.e2e.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator as its own process, from its packaged jar, talking to the mock API server through a
 * kubeconfig: the same binary and configuration path as in a cluster. Like a pod, each process has a host name of
 * its own ({@code HOSTNAME}), which the operator's default Lease identity begins with.
 */
public final class OperatorProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorProcess.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path jar;
  private final String name;
  private final String hostName;
  private final Path log;
  private final Path workDir;
  private final Map<String, String> environment;
  private final List<String> jvmOptions;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private volatile ManagedProcess process;
  private volatile int port;
  private volatile long launchedAt;

  /**
   * @param name names its log ({@code runDir/<name>.log}) and working directory ({@code runDir/<name>})
   * @param hostName its {@code HOSTNAME}, as a pod's name
   */
  public OperatorProcess(Path jar, Path runDir, String name, String hostName, Map<String, String> environment,
      List<String> jvmOptions) {
    this.jar = jar;
    this.name = name;
    this.hostName = hostName;
    this.log = runDir.resolve(name + ".log");
    this.workDir = runDir.resolve(name);
    this.environment = Map.copyOf(environment);
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  public String name() {
    return name;
  }

  public String hostName() {
    return hostName;
  }

  /**
   * Whether {@code identity}, a Lease holder, is this process's: the operator's default identity is its host name,
   * a dash and eight random hex digits (a restarted process has a new one; this matches any of them).
   */
  public boolean hasIdentity(String identity) {
    return identity != null && identity.startsWith(hostName + "-")
        && identity.substring(hostName.length() + 1).matches("[0-9a-f]{8}");
  }

  /** Starts the operator and waits until {@code /q/health/ready} answers 200. */
  public synchronized OperatorProcess start() {
    if (process != null && process.isAlive()) {
      return this;
    }
    launch();
    awaitReady();
    return this;
  }

  /** Starts the process without waiting for it, so that the rest of a cluster can start meanwhile. */
  public synchronized void launch() {
    RepoLayout.awaitJar(jar, Duration.ofMinutes(2));
    port = Ports.free();
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
    env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    env.put("HOSTNAME", hostName);
    List<String> command = new ArrayList<>();
    command.add(ManagedProcess.javaBinary());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toString());
    launchedAt = System.nanoTime();
    process = ManagedProcess.start(name, command, env, log, workDir);
  }

  /** A graceful stop (SIGTERM), as when its pod is deleted. */
  public synchronized void stop() {
    if (process != null) {
      process.stop(Duration.ofSeconds(10));
      LOG.info("{} stopped", name);
    }
  }

  /** SIGKILL: the operator dies mid-work, without shutting its informers or finishing a reconcile. */
  public synchronized void kill() {
    if (process != null) {
      process.kill();
      LOG.info("{} killed", name);
    }
  }

  public synchronized OperatorProcess restart() {
    stop();
    return start();
  }

  public boolean isRunning() {
    ManagedProcess p = process;
    return p != null && p.isAlive();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public Path log() {
    return log;
  }

  public ProcessHandle handle() {
    ManagedProcess p = process;
    if (p == null) {
      throw new IllegalStateException("the operator was never started");
    }
    return p.handle();
  }

  /** Waits until {@code /q/health/ready} answers 200; fails with the log's tail when the process exits first. */
  public void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    HttpRequest ready = HttpRequest.newBuilder(url().resolve("/q/health/ready")).timeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the operator exited with " + process.exitCode() + " while starting; "
            + "see " + log + "\n" + ManagedProcess.tail(log, 40));
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          LOG.info("{} ready on port {} (pid {}) in {} ms", name, port, process.pid(),
              (System.nanoTime() - launchedAt) / 1_000_000);
          return;
        }
      } catch (IOException notListeningYet) {
        // starting
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the operator", e);
      }
      RepoLayout.sleep(Duration.ofMillis(250));
    }
    throw new IllegalStateException("the operator was not ready within " + READY_TIMEOUT.toSeconds() + " s; see "
        + log + "\n" + ManagedProcess.tail(log, 40));
  }

  @Override
  public void close() {
    stop();
  }
}
