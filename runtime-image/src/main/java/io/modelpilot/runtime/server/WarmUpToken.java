package io.modelpilot.runtime.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The value of the warm-up header that keeps the server's own warm-up requests out of the request metrics. It is a
 * random secret of this process, so a client that sends the header (any value it can guess) is counted like any
 * other: no one can hide traffic, or errors, from the autoscaler and the canary analysis.
 */
final class WarmUpToken {

  private static final String VALUE;

  static {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    VALUE = HexFormat.of().formatHex(bytes);
  }

  private WarmUpToken() {
  }

  static String value() {
    return VALUE;
  }

  /** Constant-time, so the secret cannot be guessed byte by byte from response times. */
  static boolean matches(String header) {
    return header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
        VALUE.getBytes(StandardCharsets.UTF_8));
  }
}
