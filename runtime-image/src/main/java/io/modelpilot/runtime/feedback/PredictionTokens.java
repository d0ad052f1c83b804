package io.modelpilot.runtime.feedback;

import io.modelpilot.runtime.metrics.Predictions;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Prediction tokens: what a prediction was, signed by the server that made it, so that ground truth sent to any pod
 * holding the same key (every pod of one ModelDeployment) is judged against it and counted under the revision that
 * predicted it. Nothing is stored per prediction: the token carries it.
 *
 * <p>Token: base64url (no padding) of {@code payload || HMAC-SHA256(key, payload)}; payload, big-endian:
 * version (1 byte, 1), nonce (8), expiry in epoch seconds (8), model name (u16 length + UTF-8), revision (u16 +
 * UTF-8), request id (u16 + UTF-8), rows of the request (u32), rows embedded (u8, at most {@value #MAX_ROWS}), then
 * per embedded row: label (u16 length, 0xFFFF for none, + UTF-8) and value (IEEE double, NaN for none).
 */
public final class PredictionTokens {

  /** Rows whose predictions a token carries: the first 64 of a request; feedback on later rows needs the id path. */
  public static final int MAX_ROWS = 64;
  /** Longer text is refused before it is decoded (a token of 64 rows with long labels stays far below it). */
  public static final int MAX_TOKEN_CHARS = 16384;
  static final byte VERSION = 1;
  static final int TAG_BYTES = 32;
  private static final int NO_LABEL = 0xFFFF;
  private static final int MAX_TEXT_BYTES = 0xFFFE;
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  /** Why a token was refused: the HTTP status, a metric reason and a message for the client. */
  public static final class Refused extends RuntimeException {
    private final int status;
    private final String reason;

    Refused(int status, String reason, String message) {
      super(message, null, false, false);
      this.status = status;
      this.reason = reason;
    }

    public int status() {
      return status;
    }

    /** malformed, forged, expired (the label of the rejection metric) */
    public String reason() {
      return reason;
    }
  }

  /**
   * A verified token. {@code replayKey} identifies it (its tag's first 128 bits) for replay refusal; {@code rows}
   * are the embedded predictions, {@code requestRows} how many rows the request had.
   */
  public record Claims(String model, String revision, String requestId, long expiresAtEpochSecond,
      List<Predictions.Row> rows, int requestRows, long replayKeyHigh, long replayKeyLow) {
  }

  private final SecretKeySpec key;
  private final String revision;
  private final byte[] revisionBytes;
  private final long ttlSeconds;
  private final Clock clock;
  private final ThreadLocal<Mac> macs;

  /**
   * @param key the HMAC key shared by the pods that accept each other's tokens (at least 16 bytes)
   * @param revision the revision of the pods this server issues tokens for (empty when unknown)
   */
  public PredictionTokens(byte[] key, String revision, Duration ttl, Clock clock) {
    if (key.length < 16) {
      throw new IllegalArgumentException("a prediction token key needs at least 16 bytes, got " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    this.revision = revision;
    this.revisionBytes = text(revision, "revision");
    this.ttlSeconds = Math.max(1, ttl.toSeconds());
    this.clock = clock;
    this.macs = ThreadLocal.withInitial(this::newMac);
    newMac(); // a key the provider refuses fails here, not on the first request
  }

  public String revision() {
    return revision;
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  /** The token of one answered request; null when the model's outputs gave no predictions. */
  public String issue(String model, String requestId, List<Predictions.Row> rows) {
    if (rows.isEmpty()) {
      return null;
    }
    byte[] modelBytes = text(model, "model name");
    byte[] idBytes = text(requestId, "request id");
    int embedded = Math.min(rows.size(), MAX_ROWS);
    byte[][] labels = new byte[embedded][];
    int size = 1 + 8 + 8 + 2 + modelBytes.length + 2 + revisionBytes.length + 2 + idBytes.length + 4 + 1;
    for (int r = 0; r < embedded; r++) {
      String label = rows.get(r).label();
      labels[r] = label == null ? null : text(label, "label");
      size += 2 + (labels[r] == null ? 0 : labels[r].length) + 8;
    }
    ByteBuffer out = ByteBuffer.allocate(size + TAG_BYTES);
    out.put(VERSION).putLong(ThreadLocalRandom.current().nextLong())
        .putLong(clock.instant().getEpochSecond() + ttlSeconds);
    putText(out, modelBytes);
    putText(out, revisionBytes);
    putText(out, idBytes);
    out.putInt(rows.size()).put((byte) embedded);
    for (int r = 0; r < embedded; r++) {
      if (labels[r] == null) {
        out.putShort((short) NO_LABEL);
      } else {
        putText(out, labels[r]);
      }
      out.putDouble(rows.get(r).value());
    }
    Mac mac = macs.get();
    mac.update(out.array(), 0, size);
    try {
      mac.doFinal(out.array(), size);
    } catch (javax.crypto.ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    return ENCODER.encodeToString(out.array());
  }

  /** The claims of a token this key signed and that has not expired; otherwise {@link Refused}. */
  public Claims verify(String token) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      throw new Refused(400, "malformed", "'token' must be the prediction_token of an inference response (1 to "
          + MAX_TOKEN_CHARS + " characters)");
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(token);
    } catch (IllegalArgumentException e) {
      throw new Refused(400, "malformed", "'token' is not base64url: " + e.getMessage());
    }
    int payload = bytes.length - TAG_BYTES;
    if (payload < 1 || bytes[0] != VERSION) {
      throw new Refused(400, "malformed", "'token' is not a prediction token of this server (unknown format)");
    }
    Mac mac = macs.get();
    mac.update(bytes, 0, payload);
    byte[] expected = mac.doFinal();
    byte[] tag = new byte[TAG_BYTES];
    System.arraycopy(bytes, payload, tag, 0, TAG_BYTES);
    if (!MessageDigest.isEqual(expected, tag)) {
      throw new Refused(403, "forged", "the prediction token's signature does not match: it was altered, or issued "
          + "by a server with another key (another ModelDeployment, or a pod that has no feedback key)");
    }
    Claims claims;
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes, 0, payload);
      in.get(); // version
      in.getLong(); // nonce
      long expires = in.getLong();
      String model = getText(in);
      String rev = getText(in);
      String id = getText(in);
      int requestRows = in.getInt();
      int embedded = in.get() & 0xFF;
      List<Predictions.Row> rows = new ArrayList<>(embedded);
      for (int r = 0; r < embedded; r++) {
        String label = getText(in);
        rows.add(new Predictions.Row(label, in.getDouble()));
      }
      ByteBuffer t = ByteBuffer.wrap(tag);
      claims = new Claims(model, rev, id, expires, List.copyOf(rows), requestRows, t.getLong(), t.getLong());
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new Refused(400, "malformed", "'token' is signed but cannot be read (another token format)");
    }
    Instant now = clock.instant();
    if (now.getEpochSecond() >= claims.expiresAtEpochSecond()) {
      throw new Refused(403, "expired", "the prediction token expired at "
          + Instant.ofEpochSecond(claims.expiresAtEpochSecond()) + " (tokens are accepted for "
          + Duration.ofSeconds(ttlSeconds) + " after the prediction; MODELPILOT_FEEDBACK_TOKEN_TTL)");
    }
    return claims;
  }

  private static byte[] text(String s, String what) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_TEXT_BYTES) {
      throw new IllegalArgumentException(what + " is too long for a prediction token");
    }
    return bytes;
  }

  private static void putText(ByteBuffer out, byte[] bytes) {
    out.putShort((short) bytes.length).put(bytes);
  }

  /** null for the no-label marker */
  private static String getText(ByteBuffer in) {
    int length = in.getShort() & 0xFFFF;
    if (length == NO_LABEL) {
      return null;
    }
    if (length > in.remaining()) {
      throw new BufferUnderflowException();
    }
    String s = new String(in.array(), in.arrayOffset() + in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return s;
  }
}
