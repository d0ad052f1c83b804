package io.modelpilot.runtime.batching;

import io.modelpilot.runtime.tensor.Datatype;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.tensor.InferenceException;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching: requests whose inputs agree in everything but the first dimension are
 * stacked along it, up to {@code maxBatchSize} rows or {@code maxQueueDelay} of waiting, run
 * once, and the outputs are split back row by row.
 */
public final class Batcher implements AutoCloseable {

  @FunctionalInterface
  public interface Runner {
    Map<String, HostTensor> run(List<HostTensor> inputs, Set<String> wanted) throws Exception;
  }

  /** Told about every batch: how many rows, and how long each of its requests waited. */
  public interface Listener {
    void batch(int rows, int requests, List<Long> queueNanos);
  }

  private record Job(List<HostTensor> inputs, long rows, String key, Set<String> wanted, long enqueued,
      CompletableFuture<Map<String, HostTensor>> result) {
  }

  private final int maxBatchSize;
  private final long maxDelayNanos;
  private final Runner runner;
  private final Listener listener;
  private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean running = true;

  public Batcher(int maxBatchSize, Duration maxQueueDelay, int workers, Runner runner, Listener listener) {
    this.maxBatchSize = maxBatchSize;
    this.maxDelayNanos = maxQueueDelay.toNanos();
    this.runner = runner;
    this.listener = listener;
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(this::work, "batcher-" + i);
      t.setDaemon(true);
      t.start();
      this.workers.add(t);
    }
  }

  /** Inputs must be in the model's input order. Requests larger than a batch run alone. */
  public CompletableFuture<Map<String, HostTensor>> submit(List<HostTensor> inputs, Set<String> wanted) {
    CompletableFuture<Map<String, HostTensor>> result = new CompletableFuture<>();
    if (!running) {
      result.completeExceptionally(new InferenceException(503, "the server is shutting down"));
      return result;
    }
    queue.add(new Job(inputs, inputs.get(0).rows(), key(inputs, wanted), wanted, System.nanoTime(), result));
    if (!running) {
      failQueued(); // close() ran between the check and the add
    }
    return result;
  }

  public int queued() {
    return queue.size();
  }

  static String key(List<HostTensor> inputs, Set<String> wanted) {
    StringBuilder key = new StringBuilder();
    for (HostTensor t : inputs) {
      key.append(t.name()).append(':').append(t.datatype()).append(Arrays.toString(
          Arrays.copyOfRange(t.shape(), 1, t.shape().length))).append(';');
    }
    return key.append(new TreeSet<>(wanted)).toString();
  }

  private void work() {
    while (running) {
      Job first;
      try {
        first = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (first == null) {
        continue;
      }
      List<Job> batch = new ArrayList<>();
      batch.add(first);
      long rows = first.rows();
      long deadline = first.enqueued() + maxDelayNanos;
      while (rows < maxBatchSize) {
        long wait = deadline - System.nanoTime();
        Job next;
        try {
          next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        if (next == null) {
          break;
        }
        if (!next.key().equals(first.key()) || rows + next.rows() > maxBatchSize) {
          queue.addFirst(next); // another batch's first request
          break;
        }
        batch.add(next);
        rows += next.rows();
      }
      if (!running) {
        batch.forEach(j -> j.result().completeExceptionally(new InferenceException(503, "the server is shutting down")));
        return;
      }
      execute(batch, rows);
    }
  }

  private void execute(List<Job> batch, long rows) {
    long started = System.nanoTime();
    try {
      listener.batch((int) rows, batch.size(), batch.stream().map(j -> started - j.enqueued()).toList());
      if (batch.size() == 1) {
        Job only = batch.get(0);
        only.result().complete(runner.run(only.inputs(), only.wanted()));
        return;
      }
      Map<String, HostTensor> out = runner.run(stack(batch, rows), batch.get(0).wanted());
      long offset = 0;
      for (Job job : batch) {
        job.result().complete(slice(out, offset, job.rows(), rows));
        offset += job.rows();
      }
    } catch (Throwable e) {
      // an Error too (no direct memory left for the stacked batch): fail the batch, keep the worker
      batch.forEach(j -> j.result().completeExceptionally(e));
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
    running = false;
    workers.forEach(Thread::interrupt);
    failQueued();
  }

  private void failQueued() {
    Job job;
    while ((job = queue.poll()) != null) {
      job.result().completeExceptionally(new InferenceException(503, "the server is shutting down"));
    }
  }
}
