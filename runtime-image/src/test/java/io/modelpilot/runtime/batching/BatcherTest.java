package io.modelpilot.runtime.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.modelpilot.runtime.tensor.Datatype;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.tensor.InferenceException;
import io.modelpilot.runtime.tensor.TensorCodec;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Batcher through its public API. Every input value encodes the request it came from
 * (request * 1000 + element), so the runner can tell which requests a batch stacked and each
 * caller can check that it got exactly its own rows back.
 */
@Timeout(30)
class BatcherTest {

  private static final Set<String> WANTED = Set.of("y");

  /** What the runner saw: the input's datatype and shape, and the requests its rows came from. */
  record Seen(Datatype datatype, long[] shape, Set<Integer> requests) {
  }

  /** What the listener was told. */
  record Told(int rows, int requests, List<Long> queueNanos) {
  }

  private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  private final List<Told> told = Collections.synchronizedList(new ArrayList<>());
  private final List<Batcher> batchers = new ArrayList<>();

  @AfterEach
  void closeBatchers() {
    batchers.forEach(Batcher::close);
  }

  private Batcher batcher(int maxBatchSize, Duration delay, Batcher.Runner runner) {
    Batcher b = new Batcher(maxBatchSize, delay, 1, runner,
        (rows, requests, queued) -> told.add(new Told(rows, requests, Arrays.stream(queued).boxed().toList())));
    batchers.add(b);
    return b;
  }

  // ---- tensors ----

  static HostTensor numeric(Datatype t, int request, long rows, long width) {
    long[] shape = {rows, width};
    int n = (int) (rows * width);
    ByteBuffer b = HostTensor.allocate(n, t);
    for (int i = 0; i < n; i++) {
      int v = request * 1000 + i;
      switch (t) {
        case FP32 -> b.putFloat(v);
        case INT32 -> b.putInt(v);
        default -> throw new IllegalArgumentException(t.name());
      }
    }
    b.flip();
    return HostTensor.numeric("x", t, shape, b);
  }

  static HostTensor strings(int request, long rows, long width) {
    String[] s = new String[(int) (rows * width)];
    for (int i = 0; i < s.length; i++) {
      s[i] = "r" + request + "-" + i;
    }
    return HostTensor.bytes("x", new long[] {rows, width}, s);
  }

  static int requestOf(HostTensor t, int i) {
    if (t.datatype() == Datatype.BYTES) {
      String s = t.strings()[i];
      return Integer.parseInt(s.substring(1, s.indexOf('-')));
    }
    return (int) TensorCodec.elementAsDouble(t, i) / 1000;
  }

  /** y = x * 2 for numbers, x + x for strings, same shape. */
  static HostTensor twice(HostTensor x) {
    if (x.datatype() == Datatype.BYTES) {
      return HostTensor.bytes("y", x.shape(), Arrays.stream(x.strings()).map(s -> s + s).toArray(String[]::new));
    }
    int n = (int) x.elements();
    ByteBuffer out = HostTensor.allocate(n, x.datatype());
    for (int i = 0; i < n; i++) {
      switch (x.datatype()) {
        case FP32 -> out.putFloat(i * 4, x.data().getFloat(i * 4) * 2);
        case INT32 -> out.putInt(i * 4, x.data().getInt(i * 4) * 2);
        default -> throw new IllegalArgumentException(x.datatype().name());
      }
    }
    return HostTensor.numeric("y", x.datatype(), x.shape(), out);
  }

  private Map<String, HostTensor> recordAndDouble(List<HostTensor> inputs, Set<String> wanted) {
    HostTensor x = inputs.get(0);
    Set<Integer> requests = new TreeSet<>();
    for (int i = 0; i < x.elements(); i++) {
      requests.add(requestOf(x, i));
    }
    seen.add(new Seen(x.datatype(), x.shape().clone(), requests));
    assertThat(wanted).isEqualTo(WANTED);
    return Map.of("y", twice(x));
  }

  static void assertOwnRowsDoubled(HostTensor sent, Map<String, HostTensor> got) {
    assertThat(got).containsOnlyKeys("y");
    HostTensor y = got.get("y");
    assertThat(y.datatype()).isEqualTo(sent.datatype());
    assertThat(y.shape()).as("shape of %s", sent).containsExactly(sent.shape());
    if (sent.datatype() == Datatype.BYTES) {
      assertThat(y.strings()).containsExactly(Arrays.stream(sent.strings()).map(s -> s + s).toArray(String[]::new));
    } else {
      assertThat(y.data().remaining()).isEqualTo(sent.data().remaining());
      for (int i = 0; i < sent.elements(); i++) {
        assertThat(TensorCodec.elementAsDouble(y, i)).as("element %d of %s", i, sent)
            .isEqualTo(TensorCodec.elementAsDouble(sent, i) * 2);
      }
    }
  }

  /** Submits every request at once from its own thread. */
  private static List<CompletableFuture<Map<String, HostTensor>>> submitConcurrently(Batcher batcher,
      List<HostTensor> requests) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(requests.size());
    try {
      CountDownLatch ready = new CountDownLatch(requests.size());
      CountDownLatch go = new CountDownLatch(1);
      List<Future<CompletableFuture<Map<String, HostTensor>>>> submitted = new ArrayList<>();
      for (HostTensor t : requests) {
        submitted.add(pool.submit(() -> {
          // announced as a server announces a request whose body is in, so a forming batch waits for it
          Batcher.Arrival arrival = batcher.expect();
          ready.countDown();
          go.await();
          return arrival.submit(List.of(t), WANTED);
        }));
      }
      ready.await();
      go.countDown();
      List<CompletableFuture<Map<String, HostTensor>>> futures = new ArrayList<>();
      for (Future<CompletableFuture<Map<String, HostTensor>>> f : submitted) {
        futures.add(f.get(10, TimeUnit.SECONDS));
      }
      return futures;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("the future never completed", e);
    }
    throw new AssertionError("the future succeeded");
  }

  /** A runner whose first run holds the only slot until it is opened; every run then runs {@code then}. */
  private static final class HeldSlot {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();

    Batcher.Runner runner(Batcher.Runner then) {
      return (inputs, wanted) -> {
        if (calls.getAndIncrement() == 0) {
          entered.countDown();
          gate.await();
        }
        return then.run(inputs, wanted);
      };
    }

    void awaitHeld() throws InterruptedException {
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    }

    void open() {
      gate.countDown();
    }
  }

  // ---- tests ----

  @Test
  void concurrentRequestsAreStackedAndEachGetsExactlyItsOwnRows() throws Exception {
    Batcher batcher = batcher(8, Duration.ofMillis(50), this::recordAndDouble);
    List<HostTensor> requests = new ArrayList<>();
    for (int r = 0; r < 16; r++) {
      requests.add(numeric(Datatype.FP32, r, 1 + r % 3, 2));
    }

    List<CompletableFuture<Map<String, HostTensor>>> futures = submitConcurrently(batcher, requests);

    for (int r = 0; r < requests.size(); r++) {
      assertOwnRowsDoubled(requests.get(r), futures.get(r).get(10, TimeUnit.SECONDS));
    }
    long totalRows = requests.stream().mapToLong(HostTensor::rows).sum();
    assertThat(told.stream().mapToInt(Told::requests).sum()).isEqualTo(16);
    assertThat(told.stream().mapToInt(Told::rows).sum()).isEqualTo((int) totalRows);
    assertThat(told).allSatisfy(t -> {
      assertThat(t.rows()).isBetween(1, 8);
      assertThat(t.queueNanos()).hasSize(t.requests()).allSatisfy(n -> assertThat(n).isNotNegative());
    });
    assertThat(told).as("batches").anySatisfy(t -> assertThat(t.requests()).isGreaterThan(1));
    assertThat(seen).hasSameSizeAs(told).allSatisfy(s -> {
      assertThat(s.shape()[0]).isBetween(1L, 8L);
      assertThat(s.shape()[1]).isEqualTo(2);
    });
    // every request ran exactly once
    List<Integer> ran = new ArrayList<>();
    seen.forEach(s -> ran.addAll(s.requests()));
    assertThat(ran).hasSize(16).doesNotHaveDuplicates();
  }

  @Test
  void requestsWithAnotherTrailingShapeOrDatatypeAreNeverStackedTogether() throws Exception {
    Batcher batcher = batcher(8, Duration.ofMillis(50), this::recordAndDouble);
    // four kinds: FP32 [n,2], FP32 [n,3], INT32 [n,2], BYTES [n,2]
    List<HostTensor> requests = new ArrayList<>();
    int[] kindOf = new int[24];
    for (int r = 0; r < 24; r++) {
      int kind = r % 4;
      kindOf[r] = kind;
      long rows = 1 + r % 2;
      requests.add(switch (kind) {
        case 0 -> numeric(Datatype.FP32, r, rows, 2);
        case 1 -> numeric(Datatype.FP32, r, rows, 3);
        case 2 -> numeric(Datatype.INT32, r, rows, 2);
        default -> strings(r, rows, 2);
      });
    }

    List<CompletableFuture<Map<String, HostTensor>>> futures = submitConcurrently(batcher, requests);

    for (int r = 0; r < requests.size(); r++) {
      assertOwnRowsDoubled(requests.get(r), futures.get(r).get(10, TimeUnit.SECONDS));
    }
    assertThat(seen).allSatisfy(s -> {
      Set<Integer> kinds = new TreeSet<>();
      s.requests().forEach(r -> kinds.add(kindOf[r]));
      assertThat(kinds).as("kinds stacked in one batch of %s %s", s.datatype(), Arrays.toString(s.shape()))
          .hasSize(1);
      int kind = kinds.iterator().next();
      assertThat(s.datatype()).isEqualTo(requests.get(s.requests().iterator().next()).datatype());
      assertThat(s.shape()[1]).isEqualTo(kind == 1 ? 3 : 2);
      assertThat(s.shape()[0]).isBetween(1L, 8L);
    });
    List<Integer> ran = new ArrayList<>();
    seen.forEach(s -> ran.addAll(s.requests()));
    assertThat(ran).hasSize(24).doesNotHaveDuplicates();
  }

  @Test
  void requestsWantingOtherOutputsAreNotStackedTogether() throws Exception {
    List<Set<String>> wantedSeen = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Batcher batcher = batcher(8, Duration.ofMillis(50), (inputs, wanted) -> {
      if (calls.getAndIncrement() == 0) {
        entered.countDown();
        gate.await();
      }
      wantedSeen.add(wanted);
      return Map.of("y", twice(inputs.get(0)));
    });
    CompletableFuture<Map<String, HostTensor>> blocker = batcher.submit(List.of(numeric(Datatype.FP32, 0, 1, 2)),
        WANTED);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    var a = batcher.submit(List.of(numeric(Datatype.FP32, 1, 1, 2)), Set.of("y"));
    var b = batcher.submit(List.of(numeric(Datatype.FP32, 2, 1, 2)), Set.of("y", "z"));
    gate.countDown();

    blocker.get(10, TimeUnit.SECONDS);
    a.get(10, TimeUnit.SECONDS);
    b.get(10, TimeUnit.SECONDS);
    assertThat(told).extracting(Told::requests).containsExactly(1, 1, 1);
    assertThat(wantedSeen).containsExactly(Set.of("y"), Set.of("y"), Set.of("y", "z"));
  }

  @Test
  void queuedRequestsFormOneBatchWhenTheWorkerIsFree() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    Batcher batcher = batcher(8, Duration.ofMillis(50), (inputs, wanted) -> {
      if (calls.getAndIncrement() == 0) {
        entered.countDown();
        gate.await();
      }
      return recordAndDouble(inputs, wanted);
    });
    HostTensor first = numeric(Datatype.FP32, 0, 1, 2);
    var blocker = batcher.submit(List.of(first), WANTED);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    // 3 + 3 + 2 rows fill a batch of 8; the fourth request (1 row) must wait for the next one
    List<HostTensor> queued = List.of(numeric(Datatype.FP32, 1, 3, 2), numeric(Datatype.FP32, 2, 3, 2),
        numeric(Datatype.FP32, 3, 2, 2), numeric(Datatype.FP32, 4, 1, 2));
    List<CompletableFuture<Map<String, HostTensor>>> futures = new ArrayList<>();
    queued.forEach(t -> futures.add(batcher.submit(List.of(t), WANTED)));
    assertThat(batcher.queued()).isEqualTo(4);
    gate.countDown();

    assertOwnRowsDoubled(first, blocker.get(10, TimeUnit.SECONDS));
    for (int i = 0; i < queued.size(); i++) {
      assertOwnRowsDoubled(queued.get(i), futures.get(i).get(10, TimeUnit.SECONDS));
    }
    assertThat(told).extracting(Told::rows).containsExactly(1, 8, 1);
    assertThat(told).extracting(Told::requests).containsExactly(1, 3, 1);
    assertThat(seen).extracting(Seen::requests).containsExactly(Set.of(0), Set.of(1, 2, 3), Set.of(4));
    assertThat(batcher.queued()).isZero();
  }

  /** A model whose run costs {@code fixed + perRow * n} of CPU (a busy loop: the cost is the point). */
  private Batcher.Runner costing(long fixedNanos, long perRowNanos) {
    return (inputs, wanted) -> {
      long end = System.nanoTime() + fixedNanos + perRowNanos * inputs.get(0).rows();
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      return recordAndDouble(inputs, wanted);
    };
  }

  /** Clients that each send a request, wait for its answer, then pause (their network round trip), and again. */
  private double meanRequestsPerBatchOfAClosedLoop(Batcher batcher, int clients, int requestsEach,
      long roundTripNanos) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        running.add(pool.submit(() -> {
          for (int i = 0; i < requestsEach; i++) {
            HostTensor x = numeric(Datatype.FP32, client * 100 + i, 1, 2);
            assertOwnRowsDoubled(x, batcher.run(List.of(x), WANTED, TimeUnit.SECONDS.toNanos(10)));
            java.util.concurrent.locks.LockSupport.parkNanos(roundTripNanos);
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<Told> later = told.subList(told.size() / 2, told.size()); // after the cost fit has seen some batches
    return later.stream().mapToInt(Told::requests).average().orElseThrow();
  }

  @Test
  void aClosedLoopOfClientsFormsFullBatchesOnAModelWhereBatchingPays() throws Exception {
    // a run costs 4 ms plus 0.05 ms a row: one more row in a batch saves almost a whole run
    Batcher batcher = new Batcher(8, Duration.ofMillis(30), 2, costing(4_000_000, 50_000),
        (rows, requests, queued) -> told.add(new Told(rows, requests, Arrays.stream(queued).boxed().toList())));
    batchers.add(batcher);

    double mean = meanRequestsPerBatchOfAClosedLoop(batcher, 8, 40, 300_000);
    System.out.printf("closed loop of 8 clients: %.2f requests per batch%n", mean);

    // with two slots, running each request as soon as a slot is free gives short batches: the client that comes back
    // finds a free slot. Waiting for the clients of the running batch gathers them: eight clients over two slots
    // make batches of about four
    assertThat(mean).as("requests per batch").isGreaterThanOrEqualTo(3);
  }

  @Test
  void requestsStopQueueingOnAModelWhoseRunsHaveNoFixedPartWorthWaitingFor() throws Exception {
    Batcher light = batcher(8, Duration.ofMillis(30), this::recordAndDouble); // microseconds a run
    Batcher heavy = batcher(8, Duration.ofMillis(30), costing(2_000_000, 50_000)); // 2 ms a run, whatever its rows
    assertThat(light.pays()).as("before any run: the benefit of the doubt").isTrue();
    // enough one-row runs that the first ones (a cold JIT: milliseconds) fade from the average
    for (int i = 0; i < 4 * Batcher.FIT_MEMORY_BATCHES; i++) {
      HostTensor x = numeric(Datatype.FP32, i, 1, 2);
      assertOwnRowsDoubled(x, light.run(List.of(x), WANTED, TimeUnit.SECONDS.toNanos(10)));
    }
    for (int i = 0; i < 4; i++) {
      HostTensor x = numeric(Datatype.FP32, i, 1, 2);
      assertOwnRowsDoubled(x, heavy.run(List.of(x), WANTED, TimeUnit.SECONDS.toNanos(10)));
    }
    assertThat(light.pays()).isFalse();
    assertThat(heavy.pays()).isTrue();
    // runs outside the batcher keep the fit current: the light model's stay below the bar
    for (int i = 0; i < 256; i++) {
      light.ranAlone(1, 5_000);
    }
    assertThat(light.pays()).isFalse();
  }

  @Test
  void costFitFindsThePartOfARunThatDoesNotGrowWithItsRows() {
    Batcher.CostFit pays = new Batcher.CostFit();
    Batcher.CostFit perRowOnly = new Batcher.CostFit();
    assertThat(pays.fixedPart()).as("nothing seen yet").isEqualTo(Double.MAX_VALUE);
    for (int i = 0; i < 200; i++) {
      long rows = 1 + i % 8;
      pays.add(rows, 1_000_000 + 100_000 * rows);
      perRowOnly.add(rows, 300_000 * rows);
    }
    assertThat(pays.fixedPart()).isCloseTo(1_000_000, org.assertj.core.data.Offset.offset(1_000.0));
    assertThat(perRowOnly.fixedPart()).isCloseTo(0, org.assertj.core.data.Offset.offset(1_000.0));

    Batcher.CostFit sameSize = new Batcher.CostFit();
    for (int i = 0; i < 10; i++) {
      sameSize.add(4, 2_000_000);
    }
    assertThat(sameSize.fixedPart()).as("one size only: the mean run, an upper bound").isCloseTo(2_000_000,
        org.assertj.core.data.Offset.offset(1.0));
  }

  @Test
  void aRequestLargerThanABatchRunsAlone() throws Exception {
    Batcher batcher = batcher(4, Duration.ofMillis(20), this::recordAndDouble);
    HostTensor big = numeric(Datatype.FP32, 7, 10, 2);

    assertOwnRowsDoubled(big, batcher.submit(List.of(big), WANTED).get(10, TimeUnit.SECONDS));
    assertThat(told).extracting(Told::rows).containsExactly(10);
  }

  @Test
  void aBadRequestFailsAloneAndTheRestOfItsBatchIsServed() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    IllegalStateException boom = new IllegalStateException("boom: request 3's data");
    Batcher batcher = batcher(8, Duration.ofMillis(50), (inputs, wanted) -> {
      if (calls.getAndIncrement() == 0) {
        entered.countDown();
        gate.await();
      }
      HostTensor x = inputs.get(0);
      for (int i = 0; i < x.elements(); i++) {
        if (requestOf(x, i) == 3) {
          throw boom; // whatever batch request 3 is in fails, as ONNX Runtime fails a batch with one bad index
        }
      }
      return Map.of("y", twice(x));
    });
    HostTensor first = numeric(Datatype.FP32, 0, 1, 2);
    var blocker = batcher.submit(List.of(first), WANTED);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    List<HostTensor> sent = new ArrayList<>();
    List<CompletableFuture<Map<String, HostTensor>>> futures = new ArrayList<>();
    for (int r = 1; r <= 4; r++) {
      sent.add(numeric(Datatype.FP32, r, 1, 2));
      futures.add(batcher.submit(List.of(sent.get(r - 1)), WANTED));
    }
    gate.countDown();

    assertOwnRowsDoubled(first, blocker.get(10, TimeUnit.SECONDS));
    for (int r = 1; r <= 4; r++) {
      if (r == 3) {
        assertThat(failure(futures.get(r - 1))).isSameAs(boom);
      } else {
        assertOwnRowsDoubled(sent.get(r - 1), futures.get(r - 1).get(10, TimeUnit.SECONDS));
      }
    }
    // one batch of 4 was tried, then each of its requests alone
    assertThat(told).extracting(Told::requests).containsExactly(1, 4);
    assertThat(calls.get()).isEqualTo(1 + 1 + 4);
    // the worker survives and serves the next request
    HostTensor after = numeric(Datatype.FP32, 9, 2, 2);
    assertOwnRowsDoubled(after, batcher.submit(List.of(after), WANTED).get(10, TimeUnit.SECONDS));
  }

  @Test
  void aRunnerExceptionFailsALoneRequest() throws Exception {
    IllegalArgumentException boom = new IllegalArgumentException("bad");
    Batcher batcher = batcher(8, Duration.ofMillis(1), (inputs, wanted) -> {
      throw boom;
    });

    assertThat(failure(batcher.submit(List.of(numeric(Datatype.FP32, 0, 1, 2)), WANTED))).isSameAs(boom);
  }

  /**
   * BUG (main code): Batcher.execute catches Exception only. An Error from the runner (or from
   * stacking: HostTensor.allocate's direct buffer can throw OutOfMemoryError "Cannot reserve
   * direct buffer memory"; ONNX Runtime can throw UnsatisfiedLinkError) escapes, kills the worker
   * thread and leaves the batch's futures incomplete forever; InferenceService waits on them with
   * an unbounded get(), and with one worker every later request hangs too.
   */
  @Test
  void anErrorFromTheRunnerFailsTheBatchAndTheWorkerSurvives() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Batcher batcher = batcher(8, Duration.ofMillis(1), (inputs, wanted) -> {
      if (calls.getAndIncrement() == 0) {
        throw new OutOfMemoryError("Cannot reserve direct buffer memory (simulated)");
      }
      return Map.of("y", twice(inputs.get(0)));
    });
    var failing = batcher.submit(List.of(numeric(Datatype.FP32, 0, 1, 2)), WANTED);

    try {
      failing.get(5, TimeUnit.SECONDS);
      throw new AssertionError("the future succeeded");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(OutOfMemoryError.class);
    } catch (TimeoutException e) {
      throw new AssertionError("a runner Error left the request's future incomplete", e);
    }
    HostTensor after = numeric(Datatype.FP32, 1, 1, 2);
    var next = batcher.submit(List.of(after), WANTED);
    try {
      assertOwnRowsDoubled(after, next.get(5, TimeUnit.SECONDS));
    } catch (TimeoutException e) {
      throw new AssertionError("the batcher stopped serving after a runner Error", e);
    }
  }

  @Test
  void aModelWhoseOutputsCannotBeSplitBackIsServedRequestByRequest() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    List<Long> rowsSeen = Collections.synchronizedList(new ArrayList<>());
    Batcher batcher = batcher(8, Duration.ofMillis(50), (inputs, wanted) -> {
      if (calls.getAndIncrement() == 0) {
        entered.countDown();
        gate.await();
      }
      rowsSeen.add(inputs.get(0).rows());
      // a model that reduces over the batch: one row whatever the batch size
      return Map.of("y", numeric(Datatype.FP32, 0, 1, 2).renamed("y"));
    });
    var blocker = batcher.submit(List.of(numeric(Datatype.FP32, 0, 1, 2)), WANTED);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    var a = batcher.submit(List.of(numeric(Datatype.FP32, 1, 1, 2)), WANTED);
    var b = batcher.submit(List.of(numeric(Datatype.FP32, 2, 2, 2)), WANTED);
    gate.countDown();

    blocker.get(10, TimeUnit.SECONDS);
    // each gets the model's own answer for its request alone
    assertThat(a.get(10, TimeUnit.SECONDS).get("y").shape()).containsExactly(1, 2);
    assertThat(b.get(10, TimeUnit.SECONDS).get("y").shape()).containsExactly(1, 2);
    assertThat(rowsSeen).containsExactly(1L, 3L, 1L, 2L);
    assertThat(batcher.stacking()).as("stacking stops for this model").isFalse();
  }

  @Test
  void aLoneRequestRunsAtOnceWhenNoOtherIsOnItsWay() throws Exception {
    // a long delay that must not be waited out: nobody else is coming
    Batcher batcher = batcher(8, Duration.ofSeconds(60), this::recordAndDouble);
    HostTensor one = numeric(Datatype.FP32, 1, 1, 2);

    assertOwnRowsDoubled(one, batcher.submit(List.of(one), WANTED).get(10, TimeUnit.SECONDS));
  }

  @Test
  void aFormingBatchWaitsForARequestOnItsWay() throws Exception {
    Batcher batcher = batcher(8, Duration.ofSeconds(60), this::recordAndDouble);
    Batcher.Arrival late = batcher.expect();
    HostTensor first = numeric(Datatype.FP32, 1, 1, 2);
    var a = batcher.submit(List.of(first), WANTED);
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !a.isDone());

    HostTensor second = numeric(Datatype.FP32, 2, 2, 2);
    var b = late.submit(List.of(second), WANTED);

    assertOwnRowsDoubled(first, a.get(10, TimeUnit.SECONDS));
    assertOwnRowsDoubled(second, b.get(10, TimeUnit.SECONDS));
    assertThat(told).extracting(Told::requests).containsExactly(2);
  }

  @Test
  void aWithdrawnArrivalReleasesTheFormingBatch() throws Exception {
    Batcher batcher = batcher(8, Duration.ofSeconds(60), this::recordAndDouble);
    Batcher.Arrival never = batcher.expect();
    HostTensor first = numeric(Datatype.FP32, 1, 1, 2);
    var a = batcher.submit(List.of(first), WANTED);
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> !a.isDone());

    never.withdraw();

    assertOwnRowsDoubled(first, a.get(10, TimeUnit.SECONDS));
  }

  @Test
  void closeFailsQueuedRequestsWith503() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    Batcher batcher = batcher(8, Duration.ofMillis(50), (inputs, wanted) -> {
      entered.countDown();
      new CountDownLatch(1).await(); // until interrupted by close()
      return Map.of();
    });
    var running = batcher.submit(List.of(numeric(Datatype.FP32, 0, 1, 2)), WANTED);
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Map<String, HostTensor>>> queued = new ArrayList<>();
    for (int r = 1; r <= 3; r++) {
      queued.add(batcher.submit(List.of(numeric(Datatype.FP32, r, 1, 2)), WANTED));
    }

    batcher.close();

    for (CompletableFuture<Map<String, HostTensor>> f : queued) {
      assertThat(f).isCompletedExceptionally();
      Throwable e = failure(f);
      assertThat(e).isInstanceOf(InferenceException.class);
      assertThat(((InferenceException) e).status()).isEqualTo(503);
    }
    assertThat(batcher.queued()).isZero();
    // the running batch ends too (its runner was interrupted)
    assertThat(failure(running)).isInstanceOf(InterruptedException.class);
  }

  @Test
  void submitAfterCloseFailsWith503() throws Exception {
    Batcher batcher = batcher(8, Duration.ofMillis(50), this::recordAndDouble);
    batcher.close();

    var f = batcher.submit(List.of(numeric(Datatype.FP32, 0, 1, 2)), WANTED);

    assertThat(f).isCompletedExceptionally();
    Throwable e = failure(f);
    assertThat(e).isInstanceOf(InferenceException.class);
    assertThat(((InferenceException) e).status()).isEqualTo(503);
    assertThat(seen).isEmpty();
  }

  @Test
  void aRequestThatNoBatchTakesInTimeIsAnswered503AndLeavesTheQueue() throws Exception {
    HeldSlot held = new HeldSlot();
    Batcher batcher = batcher(8, Duration.ofMillis(1), held.runner((inputs, wanted) -> Map.of("y",
        twice(inputs.get(0)))));
    var blocker = batcher.submit(List.of(numeric(Datatype.FP32, 0, 1, 2)), WANTED);
    held.awaitHeld();

    InferenceException e = org.assertj.core.api.Assertions.catchThrowableOfType(InferenceException.class,
        () -> batcher.run(List.of(numeric(Datatype.FP32, 1, 1, 2)), WANTED, TimeUnit.MILLISECONDS.toNanos(100)));

    assertThat(e).isNotNull();
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.getMessage()).contains("MODELPILOT_REQUEST_TIMEOUT");
    assertThat(batcher.queued()).isZero();
    held.open();
    blocker.get(10, TimeUnit.SECONDS);
  }

  // ---- requests whose caller does not wait (an event loop) ----

  @Test
  void requestsWithoutAWaitingThreadAreStackedWithOthersAndEachGetsItsOwnRows() throws Exception {
    HeldSlot held = new HeldSlot(); // the only slot stays busy while the others queue
    Batcher batcher = batcher(8, Duration.ZERO, held.runner(this::recordAndDouble));
    HostTensor first = numeric(Datatype.FP32, 0, 1, 2);
    CompletableFuture<Map<String, HostTensor>> blocker = batcher.enqueueAsync(List.of(first), WANTED, Long.MAX_VALUE);
    held.awaitHeld();
    List<HostTensor> requests = new ArrayList<>();
    List<CompletableFuture<Map<String, HostTensor>>> futures = new ArrayList<>();
    for (int r = 1; r <= 6; r++) {
      requests.add(numeric(Datatype.FP32, r, r % 3 == 1 ? 2 : 1, 2)); // 8 rows in all: one batch
      futures.add(r % 3 == 0 ? batcher.submit(List.of(requests.get(r - 1)), WANTED) // a thread that waits, among them
          : batcher.enqueueAsync(List.of(requests.get(r - 1)), WANTED, Long.MAX_VALUE));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> batcher.queued() == 6);

    held.open();

    assertOwnRowsDoubled(first, blocker.get(10, TimeUnit.SECONDS));
    for (int r = 0; r < requests.size(); r++) {
      assertOwnRowsDoubled(requests.get(r), futures.get(r).get(10, TimeUnit.SECONDS));
    }
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1).requests()).containsExactly(1, 2, 3, 4, 5, 6); // one batch, whoever waits for it
  }

  @Test
  void aClosedLoopOfClientsThatDoNotWaitOnAThreadIsServedInBatches() throws Exception {
    Batcher batcher = new Batcher(8, Duration.ofMillis(2), 2, (inputs, wanted) -> {
      spin(300_000 + 20_000 * inputs.get(0).rows()); // a model with a large fixed part per run
      return Map.of("y", twice(inputs.get(0)));
    }, (rows, requests, queued) -> told.add(new Told(rows, requests, List.of())));
    batchers.add(batcher);
    AtomicInteger done = new AtomicInteger();
    CompletableFuture<Void> all = new CompletableFuture<>();
    for (int client = 0; client < 8; client++) {
      loop(batcher, client, 50, done, all);
    }

    all.get(20, TimeUnit.SECONDS);

    assertThat(done.get()).isEqualTo(8 * 50);
    assertThat(told.stream().mapToInt(Told::requests).sum()).isEqualTo(8 * 50);
    assertThat(told.stream().mapToInt(Told::requests).average().orElseThrow()).as("requests per batch")
        .isGreaterThan(2.5);
  }

  /** One client: the next request as its answer comes (on the batcher's thread), checked, n times. */
  private static void loop(Batcher batcher, int client, int left, AtomicInteger done, CompletableFuture<Void> all) {
    if (left == 0) {
      if (done.get() == 8 * 50) {
        all.complete(null);
      }
      return;
    }
    HostTensor x = numeric(Datatype.FP32, client, 1, 2);
    batcher.enqueueAsync(List.of(x), WANTED, Long.MAX_VALUE).whenComplete((out, e) -> {
      if (e != null) {
        all.completeExceptionally(e);
        return;
      }
      try {
        assertOwnRowsDoubled(x, out);
      } catch (AssertionError wrong) {
        all.completeExceptionally(wrong);
        return;
      }
      done.incrementAndGet();
      loop(batcher, client, left - 1, done, all);
    });
  }

  private static void spin(long nanos) {
    long end = System.nanoTime() + nanos;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
    }
  }

  @Test
  void aRequestWithoutAWaitingThreadThatNoBatchTakesInTimeIsAnswered503AndLeavesTheQueue() throws Exception {
    HeldSlot held = new HeldSlot();
    Batcher batcher = batcher(8, Duration.ofMillis(1), held.runner((inputs, wanted) -> Map.of("y",
        twice(inputs.get(0)))));
    var blocker = batcher.enqueueAsync(List.of(numeric(Datatype.FP32, 0, 1, 2)), WANTED, Long.MAX_VALUE);
    held.awaitHeld();

    var late = batcher.enqueueAsync(List.of(numeric(Datatype.FP32, 1, 1, 2)), WANTED,
        TimeUnit.MILLISECONDS.toNanos(100));

    ExecutionException e = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
        () -> late.get(10, TimeUnit.SECONDS));
    assertThat(e.getCause()).isInstanceOf(InferenceException.class);
    assertThat(((InferenceException) e.getCause()).status()).isEqualTo(503);
    assertThat(e.getCause().getMessage()).contains("MODELPILOT_REQUEST_TIMEOUT");
    assertThat(batcher.queued()).isZero();
    held.open();
    blocker.get(10, TimeUnit.SECONDS);
    assertThat(held.calls.get()).as("the expired request never ran").isEqualTo(1);
  }
}
