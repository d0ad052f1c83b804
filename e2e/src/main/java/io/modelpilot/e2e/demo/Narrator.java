package io.modelpilot.e2e.demo;

import io.fabric8.kubernetes.api.model.Event;
import io.modelpilot.e2e.cluster.LocalCluster;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.awaitility.Awaitility.await;

/** How the demo talks: lines stamped with the seconds since it began, a live view redrawn every 2 s, Events once. */
final class Narrator {

  static final Duration TICK = Duration.ofSeconds(2);
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  private final long begin = System.nanoTime();
  private final Set<String> eventsSeen = new HashSet<>();

  /** A step of the story. */
  void say(String format, Object... args) {
    OUT.printf(Locale.ROOT, "%5ds  ▶ %s%n", elapsedSeconds(), args.length == 0 ? format : format.formatted(args));
  }

  /** A line of the live view. */
  void show(String format, Object... args) {
    OUT.printf(Locale.ROOT, "%5ds  %s%n", elapsedSeconds(), format.formatted(args));
  }

  /** The summary, unstamped: the demo's last line. */
  void summary(String format, Object... args) {
    OUT.printf(Locale.ROOT, format + "%n", args);
  }

  /** {@code tick} (a redraw) every {@link #TICK} until {@code done} holds. */
  static void showUntil(BooleanSupplier done, Runnable tick) {
    await().forever().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(TICK).until(() -> {
      if (done.getAsBoolean()) {
        return true;
      }
      tick.run();
      return false;
    });
  }

  /** The Events of the objects named {@code involved} in {@code namespace} not shown yet, oldest first, printed. */
  List<Event> newEvents(LocalCluster cluster, String namespace, Set<String> involved) {
    List<Event> fresh = new ArrayList<>();
    for (Event e : cluster.client().v1().events().inNamespace(namespace).list().getItems()) {
      String key = e.getMetadata().getName() + "/" + e.getCount();
      if (involved.contains(e.getInvolvedObject().getName()) && eventsSeen.add(key)) {
        fresh.add(e);
      }
    }
    fresh.sort(Comparator.comparing(e -> Objects.requireNonNullElse(e.getLastTimestamp(), "")));
    for (Event e : fresh) {
      OUT.printf(Locale.ROOT, "        event %-7s %-18s %s%n", e.getType(), e.getReason(), e.getMessage());
    }
    return fresh;
  }

  long elapsedSeconds() {
    return (System.nanoTime() - begin) / 1_000_000_000;
  }
}
