package io.modelpilot.operator.status;

/** An Event a decision asks for: what happened and why, Normal or Warning. */
public record Announcement(boolean warning, String reason, String message) {

  public static Announcement normal(String reason, String message) {
    return new Announcement(false, reason, message);
  }

  public static Announcement warning(String reason, String message) {
    return new Announcement(true, reason, message);
  }
}
