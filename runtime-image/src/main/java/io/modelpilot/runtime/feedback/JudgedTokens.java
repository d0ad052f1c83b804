package io.modelpilot.runtime.feedback;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The token rows this server has judged, so that the same token and row is counted once here. Bounded: at most
 * {@code capacity} rows are remembered. Rows whose token has expired are forgotten for free (the token is refused
 * anyway); when an unexpired row must be forgotten to make room, every token expiring no later than it is refused
 * from then on ({@link #horizon}), so a forgotten row can never be judged twice. Another pod does not know what this
 * one judged: across pods a token row can be judged once per pod until it expires.
 */
public final class JudgedTokens {

  public enum Outcome { FIRST, ALREADY_JUDGED, TOO_OLD_TO_CHECK }

  private record Key(long high, long low, int row) {
  }

  private final int capacity;
  private final LinkedHashMap<Key, Long> judged; // → the token's expiry, epoch seconds
  private long horizon = Long.MIN_VALUE;

  public JudgedTokens(int capacity) {
    this.capacity = capacity;
    this.judged = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false);
  }

  /** Records the judgement of {@code row} of a token unless it was judged here before (or may have been). */
  public synchronized Outcome judge(PredictionTokens.Claims token, int row, long nowEpochSecond) {
    if (token.expiresAtEpochSecond() <= horizon) {
      return Outcome.TOO_OLD_TO_CHECK;
    }
    Key key = new Key(token.replayKeyHigh(), token.replayKeyLow(), row);
    if (judged.containsKey(key)) {
      return Outcome.ALREADY_JUDGED;
    }
    judged.put(key, token.expiresAtEpochSecond());
    Iterator<Map.Entry<Key, Long>> oldest = judged.entrySet().iterator();
    while (oldest.hasNext()) {
      Map.Entry<Key, Long> e = oldest.next();
      boolean expired = e.getValue() <= nowEpochSecond;
      if (!expired && judged.size() <= capacity) {
        break;
      }
      if (!expired) {
        horizon = Math.max(horizon, e.getValue());
      }
      oldest.remove();
    }
    return Outcome.FIRST;
  }

  public synchronized int size() {
    return judged.size();
  }

  /** Tokens expiring at or before this (epoch seconds) are refused: rows of them may have been forgotten. */
  public synchronized long horizon() {
    return horizon;
  }
}
