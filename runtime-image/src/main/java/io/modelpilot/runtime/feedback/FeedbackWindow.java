package io.modelpilot.runtime.feedback;

import io.modelpilot.runtime.metrics.Predictions;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The predictions of the most recent requests, by request id; the oldest fall out. Bounded twice: by entries (ids)
 * and by the bytes they hold, so requests of thousands of rows each cannot grow it past its budget.
 */
public final class FeedbackWindow {

  /** What one kept row costs, label string and map entry included (an estimate on the high side). */
  static final long BYTES_PER_ROW = 96;
  static final long BYTES_PER_ENTRY = 128;

  private final int capacity;
  private final long maxBytes;
  private final LinkedHashMap<String, List<Predictions.Row>> recent;
  private long bytes;

  public FeedbackWindow(int capacity) {
    this(capacity, Long.MAX_VALUE);
  }

  public FeedbackWindow(int capacity, long maxBytes) {
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.recent = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false);
  }

  static long cost(String id, List<Predictions.Row> rows) {
    long labels = 0;
    for (Predictions.Row r : rows) {
      labels += r == null || r.label() == null ? 0 : 2L * r.label().length();
    }
    return BYTES_PER_ENTRY + 2L * id.length() + BYTES_PER_ROW * rows.size() + labels;
  }

  public synchronized void remember(String id, List<Predictions.Row> rows) {
    if (rows.isEmpty() || capacity == 0) {
      return;
    }
    long cost = cost(id, rows);
    if (cost > maxBytes) {
      return; // one request larger than the whole budget is not kept
    }
    List<Predictions.Row> previous = recent.remove(id);
    if (previous != null) {
      bytes -= cost(id, previous);
    }
    recent.put(id, rows);
    bytes += cost;
    Iterator<Map.Entry<String, List<Predictions.Row>>> oldest = recent.entrySet().iterator();
    while ((recent.size() > capacity || bytes > maxBytes) && oldest.hasNext()) {
      Map.Entry<String, List<Predictions.Row>> e = oldest.next();
      bytes -= cost(e.getKey(), e.getValue());
      oldest.remove();
    }
  }

  /** The prediction of one row, taken out of the window so that it is judged only once. */
  public synchronized Optional<Predictions.Row> take(String id, int row) {
    List<Predictions.Row> rows = recent.get(id);
    if (rows == null || row < 0 || row >= rows.size() || rows.get(row) == null) {
      return Optional.empty();
    }
    Predictions.Row found = rows.get(row);
    List<Predictions.Row> rest = new ArrayList<>(rows);
    rest.set(row, null);
    bytes -= cost(id, rows);
    if (rest.stream().allMatch(Objects::isNull)) {
      recent.remove(id);
    } else {
      recent.put(id, rest);
      bytes += cost(id, rest);
    }
    return Optional.of(found);
  }

  public synchronized int size() {
    return recent.size();
  }

  /** The estimated bytes held, never above the budget. */
  public synchronized long bytes() {
    return bytes;
  }
}
