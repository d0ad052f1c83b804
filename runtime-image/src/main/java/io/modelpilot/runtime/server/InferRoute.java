package io.modelpilot.runtime.server;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.modelpilot.contract.RuntimeContract;
import io.modelpilot.runtime.batching.Batcher;
import io.modelpilot.runtime.config.RuntimeSettings;
import io.modelpilot.runtime.metrics.ServerMetrics;
import io.modelpilot.runtime.model.LoadedModel;
import io.modelpilot.runtime.model.ModelRegistry;
import io.modelpilot.runtime.tensor.InferenceException;
import io.modelpilot.runtime.v2.RequestParser;
import io.modelpilot.runtime.v2.ResponseWriter;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.v2.Protocol.InferenceRequest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * POST /v2/models/{name}[/versions/{version}]/infer, straight on Vert.x: the event loop only collects the body
 * (bounded per request and over all requests), then one hand-off to an inference thread, which parses the body
 * with a streaming parser, runs the model (or waits for its batch), writes the response with a streaming
 * generator and ends the response. No JAX-RS layer, no JSON tree, no second hand-off; health and metadata stay on
 * the event loop (see V2Resource), never queued behind inference.
 */
@ApplicationScoped
public class InferRoute {

  private static final Logger LOG = Logger.getLogger(InferRoute.class);

  private final ModelRegistry registry;
  private final InferenceService inference;
  private final ServerMetrics metrics;
  private final RuntimeSettings settings;
  private final AtomicLong buffered = new AtomicLong();
  private final ThreadPoolExecutor threads;

  public InferRoute(ModelRegistry registry, InferenceService inference, ServerMetrics metrics,
      RuntimeSettings settings) {
    this.registry = registry;
    this.inference = inference;
    this.metrics = metrics;
    this.settings = settings;
    // admission (MODELPILOT_MAX_QUEUE_LENGTH) bounds the requests in the pool; threads are made as needed
    AtomicInteger n = new AtomicInteger();
    this.threads = new ThreadPoolExecutor(Runtime.getRuntime().availableProcessors(),
        settings.maxQueueLength() + Runtime.getRuntime().availableProcessors(), 60, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "inference-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  void install(@Observes Router router) {
    // liveness: a process that answers is alive; served by the event loop itself, as cheaply as HTTP allows (the
    // benchmark uses it as the floor of a loopback round trip)
    router.get("/v2/health/live").order(-50).handler(ctx -> ctx.response().end());
    router.post("/v2/models/:name/infer").order(-50).handler(ctx -> receive(ctx, ctx.pathParam("name"), null));
    router.post("/v2/models/:name/versions/:version/infer").order(-50)
        .handler(ctx -> receive(ctx, ctx.pathParam("name"), ctx.pathParam("version")));
  }

  /** On the event loop: collect the body within its limits, then hand it to an inference thread. */
  private void receive(RoutingContext ctx, String name, String version) {
    long started = System.nanoTime();
    HttpServerRequest request = ctx.request();
    boolean counted = !WarmUpToken.matches(request.getHeader(RuntimeContract.Http.WARMUP_HEADER));
    long limit = settings.maxRequestBytes();
    Body body = new Body();
    request.handler(chunk -> {
      if (body.failed) {
        return;
      }
      long size = (long) body.buffer.length() + chunk.length();
      if (size > limit) {
        body.fail(ctx, started, counted, 413, "request body exceeds MODELPILOT_MAX_REQUEST_BYTES=" + limit);
        return;
      }
      if (buffered.addAndGet(chunk.length()) > settings.maxBufferedBytes()) {
        body.held += chunk.length();
        body.fail(ctx, started, counted, 503, "the server is receiving too many request bodies at once "
            + "(MODELPILOT_MAX_BUFFERED_BYTES=" + settings.maxBufferedBytes() + "); retry later");
        return;
      }
      body.held += chunk.length();
      body.buffer.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> body.release());
    request.endHandler(v -> {
      if (body.failed) {
        return;
      }
      byte[] bytes = body.buffer.getBytes();
      body.release();
      try {
        // admitted before it is parsed: at most MODELPILOT_MAX_QUEUE_LENGTH requests hold tensors at once
        inference.admit();
      } catch (InferenceException e) {
        reply(ctx, started, counted, e.status(), error(e.getMessage()));
        return;
      }
      LoadedModel model = registry.current().orElse(null);
      if (model != null && inference.runsInline(model, bytes.length)) {
        serve(ctx, name, version, bytes, started, counted); // a short model: no hand-off at all
        return;
      }
      if (model != null && bytes.length <= InferenceService.INLINE_MAX_BODY_BYTES && queue(ctx, name, version,
          bytes, started, counted)) {
        return;
      }
      try {
        threads.execute(() -> serve(ctx, name, version, bytes, started, counted));
      } catch (RejectedExecutionException e) {
        inference.release();
        reply(ctx, started, counted, 503, error("the server is shutting down"));
      }
    });
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
      ctx.response().writeContinue(); // curl sends larger bodies only after this (or a one-second wait)
    }
    request.resume();
  }

  /** A request body being received, and what it holds of the shared byte budget. */
  private final class Body {
    final Buffer buffer = Buffer.buffer();
    long held;
    boolean failed;

    void fail(RoutingContext ctx, long started, boolean counted, int status, String message) {
      failed = true;
      release();
      reply(ctx, started, counted, status, error(message));
      ctx.request().connection().close(); // the rest of the body is not read
    }

    void release() {
      buffered.addAndGet(-held);
      held = 0;
    }
  }

  /**
   * On the event loop, admitted: a request the batcher queues is parsed here and queued without a thread that waits
   * for it; its response is written on this event loop once its batch ran. No hand-off to an inference thread on
   * the way in, and one wake-up of the event loop on the way out. False when the request is not batched.
   */
  private boolean queue(RoutingContext ctx, String name, String version, byte[] body, long started,
      boolean counted) {
    LoadedModel model;
    try {
      model = V2Resource.find(registry, name, version);
    } catch (InferenceException unknown) {
      return false; // answered on an inference thread, as any request that is not queued here
    }
    if (registry.state() != ModelRegistry.State.READY || !inference.queues(model)) {
      return false;
    }
    InferenceRequest request;
    CompletableFuture<Map<String, HostTensor>> outputs;
    try {
      request = RequestParser.parse(body);
      outputs = inference.submit(model, request);
    } catch (Throwable e) {
      answer(ctx, started, counted, () -> {
        throw e;
      });
      return true;
    }
    if (outputs == null) { // not stacked (rows, or no batch dimension): runs alone on an inference thread
      try {
        threads.execute(() -> answer(ctx, started, counted,
            () -> ResponseWriter.write(inference.infer(model, request))));
      } catch (RejectedExecutionException e) {
        answer(ctx, started, counted, () -> {
          throw new InferenceException(503, "the server is shutting down");
        });
      }
      return true;
    }
    Context context = Vertx.currentContext();
    outputs.whenComplete((out, failure) -> context.runOnContext(v -> answer(ctx, started, counted, () -> {
      if (failure != null) {
        throw InferenceService.translate(failure instanceof java.util.concurrent.CompletionException
            && failure.getCause() != null ? failure.getCause() : failure);
      }
      return ResponseWriter.write(inference.respond(model, request, out));
    })));
    return true;
  }

  /** What an admitted request does once it is on its thread: the body of a 200 answer, or an exception. */
  @FunctionalInterface
  private interface Work {
    byte[] run() throws Throwable;
  }

  /**
   * Runs an admitted request's work and answers with its result or with its error (an InferenceException's status,
   * else 500); its place in the queue is released either way.
   */
  private void answer(RoutingContext ctx, long started, boolean counted, Work work) {
    int status;
    byte[] reply;
    try {
      reply = work.run();
      status = 200;
    } catch (InferenceException e) {
      status = e.status();
      reply = error(e.getMessage());
    } catch (Throwable e) {
      LOG.errorf(e, "inference request failed");
      status = 500;
      reply = error("internal error: " + e);
    } finally {
      inference.release();
    }
    reply(ctx, started, counted, status, reply);
  }

  /** Admitted, on an inference thread (or the event loop, see InferenceService.runsInline): parse, run, write. */
  private void serve(RoutingContext ctx, String name, String version, byte[] body, long started, boolean counted) {
    answer(ctx, started, counted, () -> {
      Batcher.Arrival arrival = null;
      try {
        LoadedModel model = V2Resource.find(registry, name, version);
        if (registry.state() != ModelRegistry.State.READY) {
          throw new InferenceException(503, "model is not ready");
        }
        arrival = inference.expect(model);
        return ResponseWriter.write(inference.infer(model, RequestParser.parse(body), arrival));
      } finally {
        if (arrival != null) {
          arrival.withdraw();
        }
      }
    });
  }

  private void reply(RoutingContext ctx, long started, boolean counted, int status, byte[] json) {
    if (counted) {
      metrics.request(status, System.nanoTime() - started);
    }
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader("Content-Type", "application/json");
    if (status == 503) {
      response.putHeader("Retry-After", "1");
    }
    response.end(Buffer.buffer(json));
  }

  static byte[] error(String message) {
    return ("{\"error\":\"" + new String(JsonStringEncoder.getInstance().quoteAsString(message)) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @PreDestroy
  void close() {
    threads.shutdown();
  }
}
