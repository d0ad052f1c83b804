package io.modelpilot.e2e.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An operating-system process of the local cluster: its output appended to a log file, its environment
 * exactly what it is given (as in a container, nothing leaks from the shell that runs the tests), and a
 * stop that takes its whole process tree down.
 */
public final class ManagedProcess {

  /** Variables a JVM needs from the host; everything else comes from the caller. */
  private static final List<String> HOST_VARIABLES = List.of("PATH", "HOME", "LANG", "LC_ALL", "JAVA_HOME", "USER");

  private final String name;
  private final Process process;
  private final Path log;
  private final long outputStart;

  private ManagedProcess(String name, Process process, Path log, long outputStart) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.outputStart = outputStart;
  }

  public static ManagedProcess start(String name, List<String> command, Map<String, String> environment, Path log,
      Path workingDirectory) {
    try {
      Files.createDirectories(log.getParent());
      Files.createDirectories(workingDirectory);
      Files.writeString(log, "---- " + Instant.now() + " start " + name + ": " + String.join(" ", command) + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      long outputStart = Files.size(log);
      ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Map<String, String> env = builder.environment();
      Map<String, String> host = Map.copyOf(env);
      env.clear();
      HOST_VARIABLES.forEach(v -> {
        if (host.containsKey(v)) {
          env.put(v, host.get(v));
        }
      });
      env.putAll(environment);
      Process process = builder.start();
      remember(process.toHandle());
      return new ManagedProcess(name, process, log, outputStart);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", command), e);
    }
  }

  /**
   * Where every started process is noted (pid and start time), so that a later run can end what a killed
   * JVM left behind: a shutdown hook covers SIGTERM and Ctrl-C, nothing covers SIGKILL.
   */
  private static volatile Path pidFile;

  public static void recordPidsIn(Path file) {
    pidFile = file;
  }

  private static synchronized void remember(ProcessHandle process) {
    Path file = pidFile;
    if (file == null) {
      return;
    }
    try {
      Files.writeString(file, process.pid() + " " + startOf(process) + " " + ProcessHandle.current().pid() + " "
          + startOf(ProcessHandle.current()) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      // best effort
    }
  }

  private static String startOf(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toString).orElse("-");
  }

  private static boolean running(long pid, String start) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> startOf(h).equals(start)).orElse(false);
  }

  /**
   * Ends the processes noted in {@code file} that still run (same pid and start time) while the JVM that
   * started them does not; returns how many.
   */
  public static int reapOrphans(Path file) {
    if (!Files.exists(file)) {
      return 0;
    }
    int reaped = 0;
    try {
      for (String line : Files.readAllLines(file)) {
        String[] parts = line.trim().split(" ");
        if (parts.length != 4) {
          continue;
        }
        long pid = Long.parseLong(parts[0]);
        if (running(pid, parts[1]) && !running(Long.parseLong(parts[2]), parts[3])) {
          destroyTree(ProcessHandle.of(pid).orElseThrow(), Duration.ofSeconds(5));
          reaped++;
        }
      }
    } catch (IOException | RuntimeException e) {
      // best effort
    }
    return reaped;
  }

  /** The last {@code lines} lines of a log, for error messages; a note in place of them when it cannot be read. */
  public static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** The java binary running this JVM, so children run on the same JDK. */
  static String javaBinary() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public ProcessHandle handle() {
    return process.toHandle();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** Where this process's own output begins in its log, after the lines of earlier runs and the start line. */
  public long outputStart() {
    return outputStart;
  }

  public CompletableFuture<Process> onExit() {
    return process.onExit();
  }

  /** The exit code, or -1 while running. */
  public int exitCode() {
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** SIGTERM to the process and its descendants, SIGKILL to whatever still runs after {@code grace}. */
  public void stop(Duration grace) {
    destroyTree(process.toHandle(), grace);
  }

  /** SIGKILL, as a node that loses power or an OOM kill. */
  public void kill() {
    destroyTree(process.toHandle(), Duration.ZERO);
  }

  private static void destroyTree(ProcessHandle root, Duration grace) {
    List<ProcessHandle> tree = new java.util.ArrayList<>(root.descendants().toList());
    tree.add(0, root);
    if (grace.isZero()) {
      tree.forEach(ProcessHandle::destroyForcibly);
    } else {
      tree.forEach(ProcessHandle::destroy);
    }
    long deadline = System.nanoTime() + Math.max(grace.toNanos(), Duration.ofSeconds(5).toNanos());
    for (ProcessHandle p : tree) {
      long left = deadline - System.nanoTime();
      try {
        p.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
      } catch (Exception timeoutOrInterrupt) {
        p.destroyForcibly();
      }
    }
    for (ProcessHandle p : tree) {
      if (p.isAlive()) {
        p.destroyForcibly();
        try {
          p.onExit().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
          // reported by the caller's isAlive checks
        }
      }
    }
  }

  @Override
  public String toString() {
    return name + "[pid " + process.pid() + (process.isAlive() ? "" : ", exited " + process.exitValue()) + "]";
  }
}
