package io.modelpilot.e2e.scenario;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** Something that must stay true for a while (nothing scales, nothing promotes), checked every half second. */
final class Hold {

  private Hold() {
  }

  static void holdFor(Duration span, Runnable check) {
    await().during(span).atMost(span.plusSeconds(5)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(check::run);
  }
}
