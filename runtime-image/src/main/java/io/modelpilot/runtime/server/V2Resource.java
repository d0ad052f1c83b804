package io.modelpilot.runtime.server;

import io.modelpilot.contract.RuntimeContract;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
   * Ground truth for a recent prediction: {"id": "<request id>", "index": row (default 0),
   * "label": class} for classifiers or {"id": …, "value": number} for regressions.
   */
  @POST
  @Path("models/{name}/feedback")
  @Consumes(MediaType.WILDCARD)
  @Blocking
  public Response feedback(@PathParam("name") String name, byte[] body) {
    try {
      return withModel(name, null, model -> {
        JsonNode root;
        try {
          root = JSON.readTree(body);
        } catch (java.io.IOException e) {
          throw new InferenceException(400, "invalid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject() || !root.path("id").isTextual()) {
          throw new InferenceException(400, "feedback needs a string 'id' of a recent inference request");
        }
        int index = root.path("index").asInt(0);
        JsonNode label = root.get("label");
        JsonNode value = root.get("value");
        if ((label == null) == (value == null)) {
          throw new InferenceException(400, "feedback needs exactly one of 'label' (classification) or 'value' "
              + "(regression)");
        }
        String id = root.get("id").textValue();
        Predictions.Row predicted = inference.feedback().take(id, index).orElseThrow(() -> new InferenceException(404,
            "no recent prediction with id '" + id + "' and index " + index + " (unknown, expired or already judged)"));
        if (label != null) {
          if (predicted.label() == null) {
            throw new InferenceException(400, "this model's predictions have no class label; send 'value'");
          }
          boolean correct = predicted.label().equals(label.isTextual() ? label.textValue() : label.asText());
          metrics.feedback(correct);
          return Response.ok(java.util.Map.of("correct", correct, "predicted", predicted.label())).build();
        }
        if (!value.isNumber() || Double.isNaN(predicted.value())) {
          throw new InferenceException(400, "'value' must be a number, for a model with a numeric prediction");
        }
        double error = Math.abs(predicted.value() - value.doubleValue());
        metrics.feedbackError(error);
        return Response.ok(java.util.Map.of("absoluteError", error, "predicted", predicted.value())).build();
      });
    } catch (InferenceException e) {
      return error(e.status(), e.getMessage());
    }
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
