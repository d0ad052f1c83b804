package io.modelpilot.runtime.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelpilot.runtime.metrics.Predictions.Row;

import java.util.List;

import org.junit.jupiter.api.Test;

class FeedbackWindowTest {

  private static List<Row> rows(String... labels) {
    return java.util.Arrays.stream(labels).map(l -> new Row(l, 0.5)).toList();
  }

  @Test
  void keepsOnlyTheNewestIds() {
    FeedbackWindow window = new FeedbackWindow(3);
    for (int i = 1; i <= 5; i++) {
      window.remember("r" + i, rows("c" + i));
    }

    assertThat(window.size()).isEqualTo(3);
    assertThat(window.take("r1", 0)).isEmpty();
    assertThat(window.take("r2", 0)).isEmpty();
    assertThat(window.take("r3", 0)).contains(new Row("c3", 0.5));
    assertThat(window.take("r4", 0)).contains(new Row("c4", 0.5));
    assertThat(window.take("r5", 0)).contains(new Row("c5", 0.5));
  }

  @Test
  void aTakeGivesTheRowOnce() {
    FeedbackWindow window = new FeedbackWindow(10);
    window.remember("req", rows("cat", "dog", "fox"));

    assertThat(window.take("req", 1)).contains(new Row("dog", 0.5));
    assertThat(window.take("req", 1)).isEmpty();
    assertThat(window.size()).isEqualTo(1);
    assertThat(window.take("req", 0)).contains(new Row("cat", 0.5));
    assertThat(window.take("req", 2)).contains(new Row("fox", 0.5));
    assertThat(window.size()).as("an id with every row judged is dropped").isZero();
    assertThat(window.take("req", 0)).isEmpty();
  }

  @Test
  void unknownIdsAndRowsAreEmpty() {
    FeedbackWindow window = new FeedbackWindow(10);
    window.remember("req", rows("a", "b"));

    assertThat(window.take("other", 0)).isEmpty();
    assertThat(window.take("req", 2)).isEmpty();
    assertThat(window.take("req", -1)).isEmpty();
    assertThat(window.take("req", 1)).contains(new Row("b", 0.5));
  }

  @Test
  void emptyPredictionsAreNotRemembered() {
    FeedbackWindow window = new FeedbackWindow(2);
    window.remember("a", rows("x"));
    window.remember("b", rows("y"));
    window.remember("empty", List.of());

    assertThat(window.size()).isEqualTo(2);
    assertThat(window.take("a", 0)).isPresent();
  }

  @Test
  void aPartlyJudgedIdKeepsItsPlaceAndRows() {
    FeedbackWindow window = new FeedbackWindow(2);
    window.remember("a", rows("a0", "a1"));
    window.remember("b", rows("b0"));
    assertThat(window.take("a", 0)).isPresent();

    window.remember("c", rows("c0")); // "a" is still the oldest

    assertThat(window.take("a", 1)).isEmpty();
    assertThat(window.take("b", 0)).isPresent();
    assertThat(window.take("c", 0)).isPresent();
  }

  @Test
  void rememberingAnIdAgainReplacesItsRows() {
    FeedbackWindow window = new FeedbackWindow(5);
    window.remember("req", rows("old"));
    window.remember("req", rows("new", "newer"));

    assertThat(window.size()).isEqualTo(1);
    assertThat(window.take("req", 0)).contains(new Row("new", 0.5));
    assertThat(window.take("req", 1)).contains(new Row("newer", 0.5));
  }

  @Test
  void takesAreThreadSafe() throws Exception {
    FeedbackWindow window = new FeedbackWindow(1000);
    String[] labels = new String[64];
    java.util.Arrays.fill(labels, "x");
    window.remember("req", rows(labels));
    java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> threads = new java.util.ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        for (int row = 0; row < 64; row++) {
          if (window.take("req", row).isPresent()) {
            taken.incrementAndGet();
          }
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(taken.get()).as("each row judged exactly once").isEqualTo(64);
    assertThat(window.size()).isZero();
  }

  @Test
  void requestsOfManyRowsCannotGrowItPastItsByteBudget() {
    long budget = 1 << 20;
    FeedbackWindow window = new FeedbackWindow(10_000, budget);
    String[] labels = new String[2048];
    java.util.Arrays.fill(labels, "class-label-7");
    List<Row> big = rows(labels);
    for (int i = 0; i < 200; i++) {
      window.remember("req-" + i, big);
    }

    assertThat(window.bytes()).isPositive().isLessThanOrEqualTo(budget);
    assertThat(window.size()).as("entries kept within 1 MiB").isBetween(1, 10);
    assertThat(window.take("req-199", 2047)).as("the newest is kept").isPresent();
    assertThat(window.take("req-0", 0)).as("the oldest fell out").isEmpty();
  }

  @Test
  void takingRowsGivesTheirBytesBack() {
    FeedbackWindow window = new FeedbackWindow(10, 1 << 20);
    window.remember("a", rows("x", "y"));
    long held = window.bytes();
    window.take("a", 0);
    assertThat(window.bytes()).isLessThanOrEqualTo(held);
    window.take("a", 1);
    assertThat(window.bytes()).isZero();
  }
}
