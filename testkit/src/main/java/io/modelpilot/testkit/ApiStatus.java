package io.modelpilot.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

import java.util.List;
import java.util.stream.Collectors;

/** The API server's {@code Status} error bodies, shaped as a real one sends them. */
final class ApiStatus {

  private ApiStatus() {
  }

  static MockResponse status(int code, String reason, String message) {
    return response(code, body(code, reason, message));
  }

  static MockResponse notFound(String message) {
    return status(404, "NotFound", message);
  }

  static MockResponse badRequest(String message) {
    return status(400, "BadRequest", message);
  }

  /**
   * 422 Invalid: {@code Kind.group "name" is invalid: field: message} (several in brackets), with one
   * {@code details.causes} entry per violation naming its field, as the API server reports a failed validation.
   */
  static MockResponse invalid(String kind, String group, String name, List<CrdValidator.Violation> violations) {
    String qualified = group.isEmpty() ? kind : kind + "." + group;
    String summary = violations.size() == 1 ? violations.get(0).toString()
        : violations.stream().map(CrdValidator.Violation::toString).collect(Collectors.joining(", ", "[", "]"));
    ObjectNode body = body(422, "Invalid", qualified + " \"" + name + "\" is invalid: " + summary);
    ObjectNode details = body.putObject("details");
    details.put("name", name).put("group", group).put("kind", kind);
    ArrayNode causes = details.putArray("causes");
    for (CrdValidator.Violation violation : violations) {
      causes.addObject().put("reason", violation.reason()).put("message", violation.message())
          .put("field", violation.field());
    }
    return response(422, body);
  }

  private static ObjectNode body(int code, String reason, String message) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("kind", "Status").put("apiVersion", "v1");
    body.putObject("metadata");
    body.put("status", "Failure").put("message", message).put("reason", reason);
    body.put("code", code);
    return body;
  }

  private static MockResponse response(int code, ObjectNode body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }
}
