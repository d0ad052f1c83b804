package io.modelpilot.runtime.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelpilot.contract.RuntimeContract.ModelLoad;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Why the server stops, as {@code {"reason": …, "message": …}} in the container's termination message: the kubelet
 * puts it in the pod's status, where the operator reads the reason for the ModelDeployment's Ready condition.
 */
final class TerminationMessage {

  private static final Logger LOG = Logger.getLogger(TerminationMessage.class);
  /** The kubelet keeps at most 4096 bytes. */
  private static final int MAX_MESSAGE_CHARS = 3000;

  private TerminationMessage() {
  }

  static void write(String reason, String message) {
    Path path = Path.of(System.getenv().getOrDefault(ModelLoad.TERMINATION_MESSAGE_PATH_VARIABLE,
        ModelLoad.TERMINATION_MESSAGE_PATH));
    if (!Files.isWritable(path) && !Files.isWritable(path.toAbsolutePath().getParent())) {
      return; // not in a container, and no stand-in given
    }
    Map<String, String> body = new LinkedHashMap<>();
    body.put("reason", reason);
    body.put("message", message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "…" : message);
    try {
      Files.writeString(path, new ObjectMapper().writeValueAsString(body));
    } catch (IOException e) {
      LOG.debugf("no termination message written to %s: %s", path, e);
    }
  }
}
