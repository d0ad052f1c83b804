package io.modelpilot.e2e.process;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Threads that never keep the JVM alive: a test that fails before closing the cluster still ends. */
public final class DaemonThreads {

  private DaemonThreads() {
  }

  /** Threads named {@code <name>-1}, {@code <name>-2}, … */
  public static ThreadFactory named(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
