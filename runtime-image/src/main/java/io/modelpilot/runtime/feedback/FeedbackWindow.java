package io.modelpilot.runtime.feedback;

import io.modelpilot.runtime.metrics.Predictions;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The predictions of the most recent requests, by request id; the oldest fall out. */
public final class FeedbackWindow {

  private final int capacity;
  private final LinkedHashMap<String, List<Predictions.Row>> recent;

  public FeedbackWindow(int capacity) {
    this.capacity = capacity;
    this.recent = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, List<Predictions.Row>> eldest) {
        return size() > FeedbackWindow.this.capacity;
      }
    };
  }

  public synchronized void remember(String id, List<Predictions.Row> rows) {
    if (!rows.isEmpty()) {
      recent.put(id, rows);
    }
  }

  /** The prediction of one row, taken out of the window so that it is judged only once. */
  public synchronized Optional<Predictions.Row> take(String id, int row) {
    List<Predictions.Row> rows = recent.get(id);
    if (rows == null || row < 0 || row >= rows.size() || rows.get(row) == null) {
      return Optional.empty();
    }
    Predictions.Row found = rows.get(row);
    List<Predictions.Row> rest = new java.util.ArrayList<>(rows);
    rest.set(row, null);
    if (rest.stream().allMatch(java.util.Objects::isNull)) {
      recent.remove(id);
    } else {
      recent.put(id, rest);
    }
    return Optional.of(found);
  }

  public synchronized int size() {
    return recent.size();
  }
}
