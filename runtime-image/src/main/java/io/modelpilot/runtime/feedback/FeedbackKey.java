package io.modelpilot.runtime.feedback;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * The HMAC key of prediction tokens: the bytes of the key file when it holds at least 16, otherwise a random key of
 * this process ({@code shared} false, with the reason), with which only this pod accepts its own tokens.
 */
public record FeedbackKey(byte[] bytes, boolean shared, String reason) {

  static final int MIN_BYTES = 16;
  /** Larger files are not a key the operator wrote; reading stops here. */
  static final int MAX_BYTES = 4096;

  public static FeedbackKey read(Optional<String> file) {
    if (file.isEmpty() || file.get().isBlank()) {
      return random("MODELPILOT_FEEDBACK_KEY_FILE is not set");
    }
    Path path = Path.of(file.get());
    try {
      if (!Files.isRegularFile(path)) {
        return random("MODELPILOT_FEEDBACK_KEY_FILE " + path + " does not exist (the feedback-key Secret is not "
            + "mounted)");
      }
      if (Files.size(path) > MAX_BYTES) {
        return random("MODELPILOT_FEEDBACK_KEY_FILE " + path + " holds more than " + MAX_BYTES + " bytes");
      }
      byte[] bytes = Files.readAllBytes(path);
      if (bytes.length < MIN_BYTES) {
        return random("MODELPILOT_FEEDBACK_KEY_FILE " + path + " holds " + bytes.length + " bytes, fewer than "
            + MIN_BYTES);
      }
      return new FeedbackKey(bytes, true, null);
    } catch (IOException e) {
      return random("MODELPILOT_FEEDBACK_KEY_FILE " + path + " cannot be read: " + e.getMessage());
    }
  }

  private static FeedbackKey random(String reason) {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return new FeedbackKey(bytes, false, reason);
  }
}
