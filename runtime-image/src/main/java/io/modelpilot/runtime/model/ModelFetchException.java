package io.modelpilot.runtime.model;

import java.io.IOException;

/**
 * The model could not be made a local file; {@link #reason()} is one of
 * {@link io.modelpilot.contract.RuntimeContract.ModelLoad}'s reasons, which the operator shows on the
 * ModelDeployment.
 */
public final class ModelFetchException extends IOException {

  private final String reason;

  public ModelFetchException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public ModelFetchException(String reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
