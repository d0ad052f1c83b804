package io.modelpilot.runtime.tensor;

/** A request the server refuses, with the HTTP status the protocol gives it. */
public class InferenceException extends RuntimeException {

  private final int status;

  public InferenceException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
