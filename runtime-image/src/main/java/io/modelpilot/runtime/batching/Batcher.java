package io.modelpilot.runtime.batching;

import io.modelpilot.runtime.tensor.Datatype;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.tensor.InferenceException;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching: requests whose inputs agree in everything but the first dimension are stacked along it, run
 * once, and the outputs are split back row by row.
 *
 * <p>The requests' own threads run the batches (leader/followers): a waiting request whose thread finds a free
 * execution slot (at most {@code workers} batches run at once) forms a batch from the oldest queued request and runs
 * it; the others wait for their rows. No thread hand-off on the way in, so batching costs next to nothing where it
 * cannot pay.
 *
 * <p>The policy never makes a request wait for nothing. A batch takes every compatible request already queued (up to
 * {@code maxBatchSize} rows); its leader waits, at most until the oldest request has waited {@code maxQueueDelay},
 * only while other requests are known to be on their way:
 * <ul>
 *   <li>announced with {@link #expect()} (their bodies are in and being parsed), or
 *   <li>the batch has fewer requests than its slot's share of the load (the requests the batcher held at each
 *       arrival over the last few milliseconds, on average, over the slots), and requests of that load are
 *       elsewhere now: in a running batch, or between their last answer and their next request (clients that
 *       wait for their answer before they send again, a closed loop), and waiting pays on this model: the part of a
 *       batch's run time that does not grow with its rows (what one more row in the batch saves; fitted by least
 *       squares over the recent batches) is larger than the time a forming batch has waited for each request that
 *       joined it lately. On a model where a batch costs about as much per row as a lone request, or whose runs are
 *       shorter than a client's round trip, the slot does not wait.
 * </ul>
 * At concurrency 1 a request runs at once (the fair share is one request); after a burst the average forgets it
 * within milliseconds. One batch forms at a time.
 *
 * <p>A batch that fails is run again request by request, so one bad request (an index out of range, a value a
 * kernel refuses) fails alone; a model whose outputs cannot be split back into rows is served request by request
 * from then on.
 */
public final class Batcher implements AutoCloseable {

  @FunctionalInterface
  public interface Runner {
    Map<String, HostTensor> run(List<HostTensor> inputs, Set<String> wanted) throws Exception;
  }

  /** Told about every batch: how many rows, how many requests, and how long each of them waited. */
  public interface Listener {
    void batch(int rows, int requests, long[] queueNanos);
  }

  /** A request on its way: it either runs once or withdraws. */
  public final class Arrival {
    private boolean settled;

    /** Runs the request as {@link Batcher#run} does, and settles the arrival at the moment it is queued. */
    public Map<String, HostTensor> run(List<HostTensor> inputs, Set<String> wanted, long timeoutNanos)
        throws Exception {
      if (settled) {
        throw new IllegalStateException("this arrival already ran or withdrew");
      }
      settled = true;
      return Batcher.this.run(inputs, wanted, timeoutNanos, true);
    }

    /** As {@link #run}, on a thread of the caller's executor. */
    public CompletableFuture<Map<String, HostTensor>> submit(List<HostTensor> inputs, Set<String> wanted) {
      if (settled) {
        throw new IllegalStateException("this arrival already ran or withdrew");
      }
      settled = true;
      return async(inputs, wanted, true);
    }

    /** The request will not come (it failed validation, or runs without batching). Idempotent. */
    public void withdraw() {
      if (!settled) {
        settled = true;
        lock.lock();
        try {
          arriving--;
          changed.signalAll();
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /** A queued request; its owner thread waits, parked, until its rows are done or it is appointed to lead. */
  private static final class Job {
    final List<HostTensor> inputs;
    final long rows;
    final String key;
    final Set<String> wanted;
    final long enqueued;
    final CompletableFuture<Map<String, HostTensor>> result;
    final Thread owner; // the thread that waits for it; null for a request whose caller does not wait (a worker leads)
    volatile boolean lead;

    Job(List<HostTensor> inputs, long rows, String key, Set<String> wanted, long enqueued,
        CompletableFuture<Map<String, HostTensor>> result, Thread owner) {
      this.owner = owner;
      this.inputs = inputs;
      this.rows = rows;
      this.key = key;
      this.wanted = wanted;
      this.enqueued = enqueued;
      this.result = result;
    }

    List<HostTensor> inputs() {
      return inputs;
    }

    long rows() {
      return rows;
    }

    String key() {
      return key;
    }

    Set<String> wanted() {
      return wanted;
    }

    long enqueued() {
      return enqueued;
    }

    CompletableFuture<Map<String, HostTensor>> result() {
      return result;
    }
  }

  /** How long the load average remembers: a sample this old weighs 1/e of a new one. */
  static final long LOAD_MEMORY_NANOS = 20_000_000;
  /**
   * The least a joining row must save for a batch to wait for it: about what the server spends on a request besides
   * the model (HTTP, parsing, writing, a thread hand-off). A model whose runs have a smaller fixed part (a small MLP:
   * microseconds) gains nothing a client would notice from a bigger batch, and every wait would cost all its rows.
   */
  public static final long MIN_SAVING_NANOS = 100_000;
  /** How many recent batches the cost fit remembers (a batch this many batches old weighs 1/e). */
  static final int FIT_MEMORY_BATCHES = 64;

  private final int maxBatchSize;
  private final long maxDelayNanos;
  private final int slots;
  private final Runner runner;
  private final Listener listener;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<Job> queue = new ArrayDeque<>(); // guarded by lock
  private int arriving; // guarded by lock
  private int executing; // guarded by lock: batches running now (at most slots)
  private int executingRequests; // guarded by lock: the requests in those batches
  private int gathered; // guarded by lock: the requests of the batch being formed
  private double concurrency = 1; // guarded by lock: requests in the batcher at each arrival, moving average
  private long lastArrival = System.nanoTime(); // guarded by lock
  private final CostFit fit = new CostFit(); // guarded by lock
  private double joinWaitNanos; // guarded by lock: moving average of the wait per request that joined a forming batch
  private boolean forming; // guarded by lock: a leader is forming a batch
  private Job appointed; // guarded by lock: the job whose thread is told to lead the next batch
  private final Set<Thread> leaders = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean running = true;
  private volatile boolean stacking = true;
  private volatile boolean pays = true; // whether a one-row run takes at least MIN_SAVING_NANOS
  private double oneRowNanos = -1; // guarded by lock: moving average of one-row runs; -1 before the first
  private final java.util.concurrent.atomic.AtomicLong alone = new java.util.concurrent.atomic.AtomicLong();
  /** Lead the batches of requests without a thread of their own; at most one per slot is busy. */
  private final java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "batch-worker");
    t.setDaemon(true);
    return t;
  });
  /** Expires requests without a thread of their own that no batch took in time. */
  private final java.util.concurrent.ScheduledThreadPoolExecutor timer = timer();

  private static java.util.concurrent.ScheduledThreadPoolExecutor timer() {
    java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
        r -> {
          Thread t = new Thread(r, "batch-expiry");
          t.setDaemon(true);
          return t;
        });
    timer.setRemoveOnCancelPolicy(true); // a request answered in time leaves nothing behind
    return timer;
  }

  public Batcher(int maxBatchSize, Duration maxQueueDelay, int workers, Runner runner, Listener listener) {
    this.maxBatchSize = maxBatchSize;
    this.maxDelayNanos = maxQueueDelay.toNanos();
    this.slots = workers;
    this.runner = runner;
    this.listener = listener;
  }

  /** Announces a request whose body is in: a forming batch may wait for it. */
  public Arrival expect() {
    lock.lock();
    try {
      arriving++;
    } finally {
      lock.unlock();
    }
    return new Arrival();
  }

  /**
   * Runs one request (inputs in the model's input order) in a batch, on this thread or another's; waits at most
   * {@code timeoutNanos} for its batch to start, then fails with a 503 (a request already running is waited for).
   */
  public Map<String, HostTensor> run(List<HostTensor> inputs, Set<String> wanted, long timeoutNanos)
      throws Exception {
    return run(inputs, wanted, timeoutNanos, false);
  }

  /** As {@link #run}, on a new thread: for callers that do not wait (and tests). */
  public CompletableFuture<Map<String, HostTensor>> submit(List<HostTensor> inputs, Set<String> wanted) {
    return async(inputs, wanted, false);
  }

  private CompletableFuture<Map<String, HostTensor>> async(List<HostTensor> inputs, Set<String> wanted,
      boolean arrived) {
    CompletableFuture<Map<String, HostTensor>> result = new CompletableFuture<>();
    java.util.concurrent.CountDownLatch queued = new java.util.concurrent.CountDownLatch(1);
    Thread t = new Thread(() -> {
      try {
        Job job = enqueue(inputs, wanted, arrived, result);
        queued.countDown();
        if (job != null) {
          await(job, Long.MAX_VALUE);
        }
      } catch (Throwable e) {
        result.completeExceptionally(e);
      } finally {
        queued.countDown();
      }
    }, "batch-request");
    t.setDaemon(true);
    t.start();
    try {
      queued.await(); // queued in submission order, as a caller that waits itself would be
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return result;
  }

  private Map<String, HostTensor> run(List<HostTensor> inputs, Set<String> wanted, long timeoutNanos,
      boolean arrived) throws Exception {
    CompletableFuture<Map<String, HostTensor>> result = new CompletableFuture<>();
    Job job = enqueue(inputs, wanted, arrived, result);
    if (job != null) {
      await(job, timeoutNanos);
    }
    try {
      return result.getNow(null);
    } catch (java.util.concurrent.CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception ex) {
        throw ex;
      }
      throw (Error) cause;
    }
  }

  /** Queues the job; null (and the result failed) when the batcher is closed. */
  private Job enqueue(List<HostTensor> inputs, Set<String> wanted, boolean arrived,
      CompletableFuture<Map<String, HostTensor>> result) {
    return enqueue(inputs, wanted, arrived, result, Thread.currentThread());
  }

  /**
   * Queues a request whose caller does not wait for it (an event loop): its batch is led by one of the batcher's own
   * threads, and the returned future completes on that thread.
   */
  public CompletableFuture<Map<String, HostTensor>> enqueueAsync(List<HostTensor> inputs, Set<String> wanted,
      long timeoutNanos) {
    CompletableFuture<Map<String, HostTensor>> result = new CompletableFuture<>();
    Job job = enqueue(inputs, wanted, false, result, null);
    if (job != null && timeoutNanos != Long.MAX_VALUE) {
      java.util.concurrent.ScheduledFuture<?> expiry = timer.schedule(() -> expire(job), timeoutNanos,
          java.util.concurrent.TimeUnit.NANOSECONDS);
      result.whenComplete((out, e) -> expiry.cancel(false));
    }
    return result;
  }

  /** A request no batch has taken within its timeout leaves the queue with a 503 (one in a running batch stays). */
  private void expire(Job job) {
    lock.lock();
    try {
      if (!job.lead && queue.remove(job)) {
        job.result().completeExceptionally(timedOut());
      }
    } finally {
      lock.unlock();
    }
  }

  private static InferenceException timedOut() {
    return new InferenceException(503, "no batch ran this request within MODELPILOT_REQUEST_TIMEOUT; retry later");
  }

  private Job enqueue(List<HostTensor> inputs, Set<String> wanted, boolean arrived,
      CompletableFuture<Map<String, HostTensor>> result, Thread owner) {
    Job job = new Job(inputs, inputs.get(0).rows(), key(inputs, wanted), wanted, System.nanoTime(), result, owner);
    lock.lock();
    try {
      if (arrived) {
        arriving--; // arrives and queues at once: a forming batch sees both together
      }
      changed.signalAll();
      if (!running) {
        result.completeExceptionally(shuttingDown());
        return null;
      }
      queue.add(job);
      // what this arrival finds in the batcher, itself included: a moving average that forgets in time
      long now = job.enqueued();
      double weight = -Math.expm1(-Math.max(0, now - lastArrival) / (double) LOAD_MEMORY_NANOS);
      concurrency = toward(concurrency, queue.size() + gathered + executingRequests + arriving,
          Math.max(weight, 1.0 / 64));
      lastArrival = now;
      appoint();
    } finally {
      lock.unlock();
    }
    return job;
  }

  /** Under the lock: if a batch can start now, tells the oldest queued request's thread to lead it. */
  private void appoint() {
    appoint(false);
  }

  /**
   * As {@link #appoint()}; a request without a waiting thread is led by a batcher thread: this one, when
   * {@code self} (a batcher thread that just ran its batch and looks for the next), or another.
   */
  private void appoint(boolean self) {
    if (appointed == null && !forming && executing < slots && !queue.isEmpty() && running) {
      appointed = queue.peek();
      appointed.lead = true;
      if (appointed.owner != null) {
        LockSupport.unpark(appointed.owner);
      } else if (!self) {
        workers.execute(this::leadUnowned);
      }
    }
  }

  /** On a batcher thread: leads the appointed batch while its oldest request has no thread of its own. */
  private void leadUnowned() {
    while (true) {
      Job job;
      lock.lock();
      try {
        job = appointed;
        if (job == null || job.owner != null || !job.lead) {
          return;
        }
      } finally {
        lock.unlock();
      }
      try {
        lead(job, true);
      } catch (InterruptedException e) {
        return; // closing
      }
    }
  }

  /** Until the job is done: lead a batch when appointed, else stay parked (one wake-up when the rows are done). */
  private void await(Job job, long timeoutNanos) throws InterruptedException {
    long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
    while (!job.result().isDone()) {
      if (!job.lead) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          lock.lock();
          try {
            if (!job.lead && queue.remove(job)) {
              job.result().completeExceptionally(timedOut());
              return;
            }
          } finally {
            lock.unlock();
          }
          left = 1_000_000; // in a running batch: its rows come soon
        }
        LockSupport.parkNanos(this, deadline == Long.MAX_VALUE ? 100_000_000 : Math.min(left, 100_000_000));
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        continue;
      }
      if (!lead(job, false)) {
        return; // close() failed every queued job
      }
    }
  }

  /**
   * Leads the next batch, as appointed: forms it, runs it, hands out the rows; false when the batcher is closed.
   * {@code worker}: on a batcher thread, which leads the next batch itself when its oldest request has no thread.
   */
  private boolean lead(Job job, boolean worker) throws InterruptedException {
    List<Job> batch;
    lock.lockInterruptibly();
    try {
      if (appointed != job) {
        job.lead = false; // withdrawn, or another batcher thread took this appointment: nothing to lead
        return true;
      }
      job.lead = false;
      appointed = null;
      if (!running) {
        return false;
      }
      if (queue.isEmpty()) {
        return true; // its own job was taken by the batch before
      }
      forming = true;
      try {
        batch = form();
      } finally {
        forming = false;
      }
      executing++;
      executingRequests += batch.size();
      appoint(); // another slot may be free for the next batch
    } finally {
      lock.unlock();
    }
    leaders.add(Thread.currentThread());
    long ran = -1;
    try {
      ran = execute(batch);
    } finally {
      leaders.remove(Thread.currentThread());
      for (Job done : batch) {
        LockSupport.unpark(done.owner);
      }
      lock.lock();
      try {
        if (ran >= 0) {
          learn(rowsOf(batch), ran);
        }
        executing--;
        executingRequests -= batch.size();
        changed.signalAll(); // a forming batch waiting for this one's clients: they come back now
        appoint(worker);
      } finally {
        lock.unlock();
      }
    }
    return true;
  }

  /**
   * Under the lock: the oldest request and what joins it now, plus what arrives in time while requests are on their
   * way.
   */
  private List<Job> form() throws InterruptedException {
    Job first = queue.poll();
    List<Job> batch = new ArrayList<>();
    batch.add(first);
    long rows = first.rows();
    long deadline = first.enqueued() + maxDelayNanos;
    long waitingSince = 0;
    while (stacking && rows < maxBatchSize) {
      int joined = 0;
      for (Iterator<Job> it = queue.iterator(); it.hasNext() && rows < maxBatchSize; ) {
        Job next = it.next();
        if (next.key().equals(first.key()) && rows + next.rows() <= maxBatchSize) {
          it.remove();
          batch.add(next);
          rows += next.rows();
          joined++;
        }
      }
      gathered = batch.size();
      long now = System.nanoTime();
      if (waitingSince != 0 && joined > 0) {
        joinWaitNanos = toward(joinWaitNanos, (now - waitingSince) / (double) joined, 1.0 / 8); // per join
        waitingSince = 0;
      }
      long wait = deadline - now;
      double saved = fit.fixedPart(); // what one more row in this batch saves
      boolean worth = saved >= MIN_SAVING_NANOS; // below it, a wait costs more than it saves, whatever comes
      boolean announced = arriving > 0 && worth;
      boolean elsewhere = executingRequests > 0
          || concurrency - (batch.size() + queue.size() + arriving) >= 1; // between answer and next request
      boolean returning = worth && elsewhere && batch.size() < fairShare() && saved > joinWaitNanos;
      if (rows >= maxBatchSize || !(announced || returning) || wait <= 0 || !running) {
        if (waitingSince != 0) {
          joinWaitNanos = toward(joinWaitNanos, now - waitingSince, 1.0 / 8); // a wait that brought nobody: all
        }
        break;
      }
      if (waitingSince == 0) {
        waitingSince = now;
      }
      changed.awaitNanos(wait);
    }
    gathered = 0;
    return batch;
  }

  /**
   * Under the lock: the requests one batch should hold at the recent load: its share of the slots (at least 1), so
   * that every core runs a batch.
   */
  private int fairShare() {
    return Math.max(1, (int) Math.ceil(concurrency / slots));
  }

  /** Takes a request out of the queue if no batch has taken it yet. */
  public boolean withdraw(CompletableFuture<Map<String, HostTensor>> result) {
    lock.lock();
    try {
      boolean removed = queue.removeIf(j -> j.result() == result);
      if (appointed != null && appointed.result() == result) {
        appointed = null;
        appoint();
      }
      return removed;
    } finally {
      lock.unlock();
    }
  }

  public int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Whether requests are still stacked (false once the model's outputs could not be split back into rows). */
  public boolean stacking() {
    return stacking;
  }

  static String key(List<HostTensor> inputs, Set<String> wanted) {
    StringBuilder key = new StringBuilder();
    for (HostTensor t : inputs) {
      key.append(t.name()).append(':').append(t.datatype()).append(Arrays.toString(
          Arrays.copyOfRange(t.shape(), 1, t.shape().length))).append(';');
    }
    return key.append(new TreeSet<>(wanted)).toString();
  }

  /** Runs the batch; how long the model ran, or -1 when it did not run as one batch. */
  private long execute(List<Job> batch) {
    long started = System.nanoTime();
    long rows = 0;
    long[] waited = new long[batch.size()];
    for (int i = 0; i < waited.length; i++) {
      rows += batch.get(i).rows();
      waited[i] = started - batch.get(i).enqueued();
    }
    try {
      listener.batch((int) rows, batch.size(), waited);
    } catch (RuntimeException e) {
      // metrics never fail a batch
    }
    if (batch.size() == 1) {
      runAlone(batch.get(0));
      return batch.get(0).result().isCompletedExceptionally() ? -1 : System.nanoTime() - started;
    }
    Map<String, HostTensor> out;
    try {
      out = runner.run(stack(batch, rows), batch.get(0).wanted());
    } catch (Exception e) {
      if (!running || e instanceof InterruptedException) {
        batch.forEach(j -> j.result().completeExceptionally(e));
        return -1;
      }
      batch.forEach(this::runAlone); // one bad request fails alone
      return -1;
    } catch (Throwable e) {
      // an Error (no direct memory left for the stacked batch): fail the batch, keep serving
      batch.forEach(j -> j.result().completeExceptionally(e));
      return -1;
    }
    long ran = System.nanoTime() - started;
    List<Map<String, HostTensor>> parts = new ArrayList<>(batch.size());
    try {
      long offset = 0;
      for (Job job : batch) {
        parts.add(slice(out, offset, job.rows(), rows));
        offset += job.rows();
      }
    } catch (InferenceException e) {
      // outputs without a batch dimension (a reduction over rows): this model is served request by request
      stacking = false;
      batch.forEach(this::runAlone);
      return -1;
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).result().complete(parts.get(i));
    }
    return ran;
  }

  private void runAlone(Job job) {
    try {
      job.result().complete(runner.run(job.inputs(), job.wanted()));
    } catch (Throwable e) {
      job.result().completeExceptionally(e);
    }
  }

  /** Under the lock: one more run of {@code rows} rows, for the cost fit and the one-row average. */
  private void learn(long rows, long nanos) {
    fit.add(rows, nanos);
    if (rows == 1) {
      oneRowNanos = oneRowNanos < 0 ? nanos : toward(oneRowNanos, nanos, 1.0 / 16);
      pays = oneRowNanos >= MIN_SAVING_NANOS;
    }
  }

  private static long rowsOf(List<Job> batch) {
    long rows = 0;
    for (Job job : batch) {
      rows += job.rows();
    }
    return rows;
  }

  /** A moving average moved {@code weight} of the way to a new sample. */
  private static double toward(double average, double sample, double weight) {
    return average + (sample - average) * weight;
  }

  /**
   * Whether requests should queue for batches at all. Not on a model whose one-row runs take less than
   * {@link #MIN_SAVING_NANOS} (a small MLP): a bigger batch saves it nothing a client would notice, and the queue, the
   * hand-over between threads and the split of the outputs would cost more; its requests run at once instead, as
   * without batching. (Decided on one-row runs, a robust average, not on the fit, which a few cold runs of a new
   * model can throw far off.)
   */
  public boolean pays() {
    return pays;
  }

  /** A request of this model that ran without the batcher (see {@link #pays()}): one in 64 feeds the cost fit. */
  public void ranAlone(long rows, long nanos) {
    if ((alone.getAndIncrement() & 63) != 0) {
      return;
    }
    lock.lock();
    try {
      learn(rows, nanos);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A batch's run time as {@code t = a + b n} for {@code n} rows, fitted by least squares over the recent batches
   * (older ones fade: one {@value #FIT_MEMORY_BATCHES} batches old weighs 1/e). {@code a} is what one more row in a
   * batch saves: the part of a run that does not grow with its rows.
   */
  static final class CostFit {
    private double weight;
    private double n;
    private double nn;
    private double t;
    private double nt;

    void add(long rows, long nanos) {
      double keep = 1 - 1.0 / FIT_MEMORY_BATCHES;
      weight = weight * keep + 1;
      n = n * keep + rows;
      nn = nn * keep + (double) rows * rows;
      t = t * keep + nanos;
      nt = nt * keep + (double) rows * nanos;
    }

    /**
     * {@code a}, in nanos. Until the batches seen differ in size: the mean run time, which bounds it from above;
     * before any batch ran: unbounded (a new model gets the benefit of the doubt for its first batches).
     */
    double fixedPart() {
      if (weight < 1) {
        return Double.MAX_VALUE;
      }
      double spread = weight * nn - n * n;
      if (spread <= 1e-6 * weight * weight) {
        return t / weight;
      }
      double perRow = (weight * nt - n * t) / spread;
      return (t - perRow * n) / weight;
    }
  }

  static List<HostTensor> stack(List<Job> batch, long rows) {
    List<HostTensor> stacked = new ArrayList<>();
    int inputs = batch.get(0).inputs().size();
    for (int i = 0; i < inputs; i++) {
      HostTensor first = batch.get(0).inputs().get(i);
      long[] shape = first.shape().clone();
      shape[0] = rows;
      if (first.datatype() == Datatype.BYTES) {
        List<String> all = new ArrayList<>();
        for (Job job : batch) {
          all.addAll(Arrays.asList(job.inputs().get(i).strings()));
        }
        stacked.add(HostTensor.bytes(first.name(), shape, all.toArray(String[]::new)));
      } else {
        ByteBuffer buffer = HostTensor.allocate(HostTensor.elements(shape), first.datatype());
        for (Job job : batch) {
          buffer.put(job.inputs().get(i).data().duplicate().rewind());
        }
        buffer.flip();
        stacked.add(HostTensor.numeric(first.name(), first.datatype(), shape, buffer));
      }
    }
    return stacked;
  }

  static Map<String, HostTensor> slice(Map<String, HostTensor> out, long offset, long count, long rows) {
    Map<String, HostTensor> sliced = new LinkedHashMap<>();
    for (HostTensor t : out.values()) {
      if (t.shape().length == 0 || t.shape()[0] != rows) {
        throw new InferenceException(500, "output '" + t.name() + "' has shape " + Arrays.toString(t.shape())
            + " and cannot be split back into the " + rows + " batched rows");
      }
      long[] shape = t.shape().clone();
      shape[0] = count;
      long perRow = rows == 0 ? 0 : t.elements() / rows;
      if (t.datatype() == Datatype.BYTES) {
        sliced.put(t.name(), HostTensor.bytes(t.name(), shape,
            Arrays.copyOfRange(t.strings(), (int) (offset * perRow), (int) ((offset + count) * perRow))));
      } else {
        int bytesPerRow = (int) (perRow * t.datatype().size);
        ByteBuffer part = t.data().duplicate().order(t.data().order());
        part.position((int) (offset * bytesPerRow)).limit((int) ((offset + count) * bytesPerRow));
        sliced.put(t.name(), HostTensor.numeric(t.name(), t.datatype(), shape, part.slice().order(t.data().order())));
      }
    }
    return sliced;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      running = false;
      changed.signalAll();
      Job job;
      while ((job = queue.poll()) != null) {
        job.result().completeExceptionally(shuttingDown());
        LockSupport.unpark(job.owner);
      }
    } finally {
      lock.unlock();
    }
    leaders.forEach(Thread::interrupt); // a batch running for the last time is told to stop
    workers.shutdown();
    timer.shutdownNow();
  }

  private static InferenceException shuttingDown() {
    return new InferenceException(503, "the server is shutting down");
  }
}
