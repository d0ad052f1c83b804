package io.modelpilot.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.util.List;

/**
 * The {@code authorization.k8s.io/v1} self-subject reviews, answered as a real API server answers a user bound to
 * {@code cluster-admin} (the stand-in has no RBAC: everyone may do everything). Clients ask before they start: JOSDK
 * checks that it may get, create and update its Lease with a SelfSubjectRulesReview before it elects a leader, and
 * {@code kubectl auth can-i} sends a SelfSubjectAccessReview. The stock mock would store the review and return it
 * without a status.
 *
 * <p>A review may come as JSON or, as kubectl's typed clients send it, as protobuf ({@link ReviewProtobuf}). As on
 * a real server, a review is created and answered, never stored: POST answers 201 with the spec echoed and
 * the status filled in, any other method 405. A SelfSubjectAccessReview needs exactly one of
 * {@code spec.resourceAttributes} and {@code spec.nonResourceAttributes} (422 otherwise); a SelfSubjectRulesReview
 * needs {@code spec.namespace} (400 otherwise).
 */
final class AccessReviews {

  private static final String PREFIX = "/apis/authorization.k8s.io/v1/";
  private static final String ACCESS = "selfsubjectaccessreviews";
  private static final String RULES = "selfsubjectrulesreviews";
  private static final String PROTOBUF = "application/vnd.kubernetes.protobuf";

  private final ObjectMapper json = new ObjectMapper();

  /** The answer to a review request at {@code path} (no query string), or null when it is no review request. */
  MockResponse answer(RecordedRequest request, String path) {
    if (!path.equals(PREFIX + ACCESS) && !path.equals(PREFIX + RULES)) {
      return null;
    }
    String resource = path.substring(PREFIX.length());
    if (request.method() != HttpMethod.POST) {
      return ApiStatus.status(405, "MethodNotAllowed", "the server does not allow this method on the requested "
          + "resource (" + resource + ".authorization.k8s.io)");
    }
    String contentType = request.getHeader("Content-Type");
    JsonNode body;
    try {
      body = contentType != null && contentType.startsWith(PROTOBUF)
          ? ReviewProtobuf.read(request.getBody().getBytes(), resource.equals(ACCESS))
          : json.readTree(request.getBody().getBytes());
    } catch (IllegalArgumentException e) {
      return ApiStatus.badRequest("the body of the request is not a protobuf-encoded object: " + e.getMessage());
    } catch (java.io.IOException e) {
      return ApiStatus.badRequest("the body of the request is not a JSON object: " + e.getMessage());
    }
    if (!(body instanceof ObjectNode review)) {
      return ApiStatus.badRequest("the body of the request is not a JSON object");
    }
    // answered in JSON whatever the request's encoding: clients that send protobuf accept JSON too
    return resource.equals(ACCESS) ? accessReview(review) : rulesReview(review);
  }

  private MockResponse accessReview(ObjectNode review) {
    JsonNode spec = review.path("spec");
    boolean resource = spec.path("resourceAttributes").isObject();
    boolean nonResource = spec.path("nonResourceAttributes").isObject();
    if (resource == nonResource) {
      return ApiStatus.invalid("SelfSubjectAccessReview", "authorization.k8s.io", "", List.of(
          new CrdValidator.Violation("spec.resourceAttributes", "FieldValueInvalid",
              "Invalid value: \"null\": exactly one of nonResourceAttributes or resourceAttributes must be "
                  + "specified")));
    }
    ObjectNode answered = created(review, "SelfSubjectAccessReview");
    answered.putObject("status").put("allowed", true)
        .put("reason", "the stand-in API server allows every request (as cluster-admin)");
    return response(answered);
  }

  private MockResponse rulesReview(ObjectNode review) {
    if (review.path("spec").path("namespace").asText("").isEmpty()) {
      return ApiStatus.badRequest("no namespace on request");
    }
    ObjectNode answered = created(review, "SelfSubjectRulesReview");
    ObjectNode status = answered.putObject("status");
    ObjectNode everything = status.putArray("resourceRules").addObject();
    everything.putArray("verbs").add("*");
    everything.putArray("apiGroups").add("*");
    everything.putArray("resources").add("*");
    ObjectNode everyUrl = status.putArray("nonResourceRules").addObject();
    everyUrl.putArray("verbs").add("*");
    everyUrl.putArray("nonResourceURLs").add("*");
    status.put("incomplete", false);
    return response(answered);
  }

  /** The review as the server returns it: its spec, apiVersion, kind and metadata, any status sent dropped. */
  private ObjectNode created(ObjectNode review, String kind) {
    ObjectNode answered = review.deepCopy();
    answered.put("apiVersion", "authorization.k8s.io/v1").put("kind", kind);
    answered.remove("status");
    if (!answered.path("metadata").isObject()) {
      answered.putObject("metadata");
    }
    ((ObjectNode) answered.get("metadata")).putNull("creationTimestamp");
    if (!answered.path("spec").isObject()) {
      answered.putObject("spec");
    }
    return answered;
  }

  private static MockResponse response(ObjectNode body) {
    return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }
}
