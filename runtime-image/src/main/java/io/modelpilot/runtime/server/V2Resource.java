package io.modelpilot.runtime.server;

import io.modelpilot.contract.RuntimeContract;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelpilot.runtime.feedback.PredictionTokens;
import io.modelpilot.runtime.metrics.Predictions;
import io.modelpilot.runtime.metrics.ServerMetrics;
import io.modelpilot.runtime.model.LoadedModel;
import io.modelpilot.runtime.model.ModelRegistry;
import io.modelpilot.runtime.tensor.InferenceException;
import io.modelpilot.runtime.v2.Protocol;
import io.modelpilot.runtime.v2.Protocol.ModelMetadata;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Optional;

/** Open Inference Protocol v2 over REST (the subset KServe, Triton and MLServer clients use). */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
@NonBlocking // health, metadata: on the event loop, never queued behind inference (feedback is @Blocking)
public class V2Resource {

  /** Marks the server\'s own warm-up requests (ModelStartup), which no metric counts. */
  public static final String WARMUP_HEADER = RuntimeContract.Http.WARMUP_HEADER;

  static final String SERVER_NAME = "modelpilot";
  static final String SERVER_VERSION = "0.1.0";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ModelRegistry registry;
  private final InferenceService inference;
  private final ServerMetrics metrics;


  public V2Resource(ModelRegistry registry, InferenceService inference, ServerMetrics metrics) {
    this.registry = registry;
    this.inference = inference;
    this.metrics = metrics;
  }

  @GET
  public Protocol.ServerMetadata server() {
    return new Protocol.ServerMetadata(SERVER_NAME, SERVER_VERSION, List.of("model_feedback"));
  }

  @GET
  @NonBlocking
  @Path("health/live")
  public Response live() {
    return Response.ok().build();
  }

  @GET
  @NonBlocking
  @Path("health/ready")
  public Response ready() {
    return registry.state() == ModelRegistry.State.READY && registry.isWarm() ? Response.ok().build()
        : Response.status(503).entity(new Protocol.Error(registry.state() == ModelRegistry.State.FAILED
            ? "model failed to load: " + registry.failure()
            : registry.state() == ModelRegistry.State.READY ? "warming up" : "model is loading")).build();
  }

  @GET
  @Path("models/{name}")
  public Response metadata(@PathParam("name") String name) {
    return withModel(name, null, model -> Response.ok(metadataOf(model)).build());
  }

  @GET
  @Path("models/{name}/versions/{version}")
  public Response metadata(@PathParam("name") String name, @PathParam("version") String version) {
    return withModel(name, version, model -> Response.ok(metadataOf(model)).build());
  }

  @GET
  @NonBlocking
  @Path("models/{name}/ready")
  public Response modelReady(@PathParam("name") String name) {
    return withModel(name, null, model -> ready());
  }

  @GET
  @NonBlocking
  @Path("models/{name}/versions/{version}/ready")
  public Response modelReady(@PathParam("name") String name, @PathParam("version") String version) {
    return withModel(name, version, model -> ready());
  }

  /**
   * Ground truth for a recent prediction: {"token": "<prediction_token of the response>", "index": row (default 0),
   * "label": class} for classifiers, or "value": number for regressions. Any pod holding the same key judges a
   * token, and counts it under the revision that made the prediction. {"id": "<request id>", …} instead of the token
   * is judged only by the pod that answered the request (it keeps recent predictions by id).
   */
  @POST
  @Path("models/{name}/feedback")
  @Consumes(MediaType.WILDCARD)
  @Blocking
  public Response feedback(@PathParam("name") String name, byte[] body) {
    try {
      return withModel(name, null, model -> judge(model, body));
    } catch (InferenceException e) {
      return error(e.status(), e.getMessage());
    }
  }

  private Response judge(LoadedModel model, byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw rejected(400, "malformed", "invalid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw rejected(400, "malformed", "feedback must be a JSON object");
    }
    JsonNode token = root.get("token");
    JsonNode id = root.get("id");
    if ((token == null) == (id == null)) {
      throw rejected(400, "malformed", "feedback needs exactly one of 'token' (the prediction_token in the "
          + "parameters of an inference response; any pod of the deployment judges it) or 'id' (a request id; only "
          + "the pod that answered it can judge it)");
    }
    JsonNode indexNode = root.get("index");
    if (indexNode != null
        && !(indexNode.isIntegralNumber() && indexNode.canConvertToInt() && indexNode.intValue() >= 0)) {
      throw rejected(400, "malformed", "'index' must be a row number, 0 or more");
    }
    int index = indexNode == null ? 0 : indexNode.intValue();
    JsonNode label = root.get("label");
    JsonNode value = root.get("value");
    if ((label == null) == (value == null)) {
      throw rejected(400, "malformed", "feedback needs exactly one of 'label' (classification) or 'value' "
          + "(regression)");
    }
    Judged judged = token != null ? byToken(model, token, index, label, value) : byId(id, index, label, value);
    Predictions.Row predicted = judged.predicted();
    String revision = judged.revision();
    if (label != null) {
      boolean correct = predicted.label().equals(label.isTextual() ? label.textValue() : label.asText());
      metrics.feedback(correct, revision);
      return Response.ok(java.util.Map.of("correct", correct, "predicted", predicted.label(),
          "predictionRevision", revision)).build();
    }
    double error = Math.abs(predicted.value() - value.doubleValue());
    metrics.feedbackError(error, revision);
    return Response.ok(java.util.Map.of("absoluteError", error, "predicted", predicted.value(),
        "predictionRevision", revision)).build();
  }

  /** The prediction a feedback judges, and the revision that made it. */
  private record Judged(Predictions.Row predicted, String revision) {
  }

  /** Feedback by prediction token: any pod with the deployment's key judges it, each row once. */
  private Judged byToken(LoadedModel model, JsonNode token, int index, JsonNode label, JsonNode value) {
    if (!token.isTextual()) {
      throw rejected(400, "malformed", "'token' must be the string prediction_token of an inference response");
    }
    PredictionTokens.Claims claims;
    try {
      claims = inference.tokens().verify(token.textValue());
    } catch (PredictionTokens.Refused e) {
      throw rejected(e.status(), e.reason(), e.getMessage());
    }
    if (!claims.model().equals(model.name())) {
      throw rejected(400, "other_model", "the prediction token is for model '" + claims.model() + "', not '"
          + model.name() + "'");
    }
    if (index >= claims.rows().size()) {
      throw rejected(400, "malformed", "'index' " + index + " is not a row the token holds: it holds rows 0 to "
          + (claims.rows().size() - 1) + " of the request's " + claims.requestRows() + " (a token carries the "
          + "first " + PredictionTokens.MAX_ROWS + ")");
    }
    Predictions.Row predicted = claims.rows().get(index);
    kindOf(predicted, label, value);
    switch (inference.judged().judge(claims, index, java.time.Instant.now().getEpochSecond())) {
      case ALREADY_JUDGED -> throw rejected(409, "replayed", "row " + index + " of this prediction token was "
          + "already judged");
      case TOO_OLD_TO_CHECK -> throw rejected(409, "replayed", "this pod can no longer tell whether row " + index
          + " of this prediction token was judged (it forgot the oldest judgements: "
          + "MODELPILOT_FEEDBACK_JUDGED_TOKENS); send feedback sooner after the prediction");
      case FIRST -> { }
    }
    return new Judged(predicted, claims.revision());
  }

  /** Feedback by request id: only the pod that answered the request remembers it. */
  private Judged byId(JsonNode id, int index, JsonNode label, JsonNode value) {
    if (!id.isTextual()) {
      throw rejected(400, "malformed", "'id' must be the string id of a recent inference request");
    }
    String requestId = id.textValue();
    Predictions.Row predicted = inference.feedback().take(requestId, index).orElseThrow(() -> rejected(404,
        "unknown_id", "no recent prediction with id '" + requestId + "' and index " + index + " on this pod "
            + "(unknown, expired, already judged, or answered by another pod: send the response's "
            + "prediction_token as 'token')"));
    kindOf(predicted, label, value);
    return new Judged(predicted, inference.tokens().revision());
  }

  /** The truth sent must be of the prediction's kind: a class for a class, a number for a number. */
  private void kindOf(Predictions.Row predicted, JsonNode label, JsonNode value) {
    if (label != null && predicted.label() == null) {
      throw rejected(400, "malformed", "this model's predictions have no class label; send 'value'");
    }
    if (label == null && (!value.isNumber() || Double.isNaN(predicted.value()))) {
      throw rejected(400, "malformed", "'value' must be a number, for a model with a numeric prediction");
    }
  }

  private InferenceException rejected(int status, String reason, String message) {
    metrics.feedbackRejected(reason);
    return new InferenceException(status, message);
  }

  private Response withModel(String name, String version, java.util.function.Function<LoadedModel, Response> action) {
    try {
      return action.apply(find(registry, name, version));
    } catch (InferenceException e) {
      return error(e.status(), e.getMessage());
    }
  }

  /** The served model, if the request names it (and its version, when it names one); otherwise a 404. */
  static LoadedModel find(ModelRegistry registry, String name, String version) {
    Optional<LoadedModel> current = registry.current();
    if (current.isEmpty() || !current.get().name().equals(name)
        || version != null && !version.equals(current.get().version())) {
      throw new InferenceException(404, "unknown model '" + name + "'" + (version == null ? "" : " version '"
          + version + "'") + (current.isPresent() ? "; this server serves '" + current.get().name() + "' version '"
          + current.get().version() + "'" : ""));
    }
    return current.get();
  }

  private static ModelMetadata metadataOf(LoadedModel model) {
    return new ModelMetadata(model.name(), List.of(model.version()), "onnxruntime_onnx",
        model.inputs().stream().map(LoadedModel.Tensor::metadata).toList(),
        model.outputs().stream().map(LoadedModel.Tensor::metadata).toList());
  }

  static Response error(int status, String message) {
    Response.ResponseBuilder builder = Response.status(status).entity(new Protocol.Error(message))
        .type(MediaType.APPLICATION_JSON);
    if (status == 503) {
      builder.header("Retry-After", "1");
    }
    return builder.build();
  }
}
