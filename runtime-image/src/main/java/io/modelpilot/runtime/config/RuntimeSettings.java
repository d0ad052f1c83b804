package io.modelpilot.runtime.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.Optional;

/**
 * The model server's settings. The operator sets them as MODELPILOT_* environment variables
 * (MODELPILOT_MODEL_URI → modelpilot.model-uri, …); see the operator's RuntimeDeploymentFactory.
 */
@ConfigMapping(prefix = "modelpilot")
public interface RuntimeSettings {

  /** file:///…, http://…, https://… or s3://bucket/key */
  @WithName("model-uri")
  String modelUri();

  @WithName("model-name")
  @WithDefault("model")
  String modelName();

  @WithName("model-version")
  @WithDefault("1")
  String modelVersion();

  /** Hex SHA-256 the model file must have (optional). */
  @WithName("model-sha256")
  Optional<String> modelSha256();

  /**
   * Directory holding `token` or `username` + `password` for http(s) downloads, or `accessKeyId` +
   * `secretAccessKey` (+ `sessionToken`) for s3:// (a mounted Secret: credentials are never in the environment).
   */
  @WithName("model-credentials-dir")
  Optional<String> modelCredentialsDir();

  /** Largest model the server downloads, in bytes. */
  @WithName("model-max-bytes")
  @WithDefault("4294967296")
  long modelMaxBytes();

  /** Downloads are kept here under their digest (or URI): a restarted container reuses a verified file. */
  @WithName("model-cache-dir")
  Optional<String> modelCacheDir();

  /** Longest wait for the next bytes of a download (Go duration). */
  @WithName("model-read-timeout")
  @WithDefault("60s")
  String modelReadTimeout();

  /** Longest a whole download may take (Go duration). */
  @WithName("model-download-timeout")
  @WithDefault("30m")
  String modelDownloadTimeout();

  /** Lets credentials and S3 requests go over plain http (a local MinIO or S3Proxy); otherwise TLS only. */
  @WithName("model-allow-plain-http")
  @WithDefault("false")
  boolean modelAllowPlainHttp();

  /** s3:// sources: URL of the S3 API (MinIO, Ceph RGW, storage.googleapis.com); AWS S3 when unset. */
  @WithName("model-s3-endpoint")
  Optional<String> modelS3Endpoint();

  @WithName("model-s3-region")
  @WithDefault("us-east-1")
  String modelS3Region();

  /** s3:// sources: bucket in the path rather than in the host name. */
  @WithName("model-s3-path-style")
  @WithDefault("false")
  boolean modelS3PathStyle();

  /**
   * ONNX Runtime intra-op threads; 0 = one per CPU this container may use (its CPU limit), set explicitly: ONNX
   * Runtime's own default counts the node's cores and pins its threads to them.
   */
  @WithName("intra-op-threads")
  @WithDefault("0")
  int intraOpThreads();

  /**
   * Whether ONNX Runtime's idle pool threads spin waiting for work (lower latency between operators, a core burnt
   * while they wait). Off by default: the server's HTTP threads share the cores, and measured on the batching
   * benchmark, spinning took 0.23 more cores for no more throughput.
   */
  @WithName("intra-op-spinning")
  @WithDefault("false")
  boolean intraOpSpinning();

  @WithName("inter-op-threads")
  @WithDefault("0")
  int interOpThreads();

  /** disabled, basic, extended or all. */
  @WithName("optimization-level")
  @WithDefault("all")
  String optimizationLevel();

  /** cpu or cuda. */
  @WithName("execution-provider")
  @WithDefault("cpu")
  String executionProvider();

  /** Largest dynamic batch; 1 turns batching off. */
  @WithName("max-batch-size")
  @WithDefault("1")
  int maxBatchSize();

  /**
   * The longest a request waits for others to join its batch (Go duration: 2ms, 500us). The batcher waits only
   * while other requests are known to be coming and waiting pays on the model (see Batcher), so a default above
   * zero costs nothing where batching cannot help.
   */
  @WithName("max-queue-delay")
  @WithDefault("2ms")
  String maxQueueDelay();

  /** Inference requests waiting or running at once; more are refused with 503. */
  @WithName("max-queue-length")
  @WithDefault("256")
  int maxQueueLength();

  /**
   * Requests the server sends itself over HTTP after the model loaded and before it reports ready (at most 10 s
   * of them), so a fresh pod's first real requests do not pay for JIT compilation and cold caches: a canary is
   * judged, and an autoscaled pod serves, at its real speed. They count in no request metric (rate, latency,
   * errors). 0 turns this off.
   */
  @WithName("warmup-requests")
  @WithDefault("300")
  int warmupRequests();

  /** Recent predictions kept for ground-truth feedback. */
  @WithName("feedback-window")
  @WithDefault("10000")
  int feedbackWindow();

  /** Bytes the feedback window may hold (an estimate per kept row); the oldest fall out first. */
  @WithName("feedback-window-bytes")
  @WithDefault("33554432")
  long feedbackWindowBytes();

  /**
   * File holding the HMAC key of prediction tokens (the ModelDeployment's mounted feedback-key Secret): every pod
   * with the same key accepts the others' tokens. Absent or shorter than 16 bytes: a random key of this process,
   * so tokens are accepted only by this pod.
   */
  @WithName("feedback-key-file")
  Optional<String> feedbackKeyFile();

  /** How long a prediction token is accepted after the prediction (Go duration); bounds replays across pods. */
  @WithName("feedback-token-ttl")
  @WithDefault("1h")
  String feedbackTokenTtl();

  /** Token rows this pod remembers having judged, to refuse a second judgement of the same row. */
  @WithName("feedback-judged-tokens")
  @WithDefault("100000")
  int feedbackJudgedTokens();

  /**
   * The revision of this pod (its modelpilot.io/revision label, from the downward API): the revision its prediction
   * tokens name, under which feedback on its predictions is counted on any pod.
   */
  @WithName("revision")
  Optional<String> revision();

  /** Cap on the body of one request, in bytes (also quarkus.http.limits.max-body-size). */
  @WithName("max-request-bytes")
  @WithDefault("67108864")
  long maxRequestBytes();

  /** Per-request metrics (latency histograms, outcomes, predictions); off only to measure their cost. */
  @WithName("metrics-enabled")
  @WithDefault("true")
  boolean metricsEnabled();

  /**
   * Threads that run batches; each batch runs on one and uses the intra-op threads. 0: sized to the cores (cores ÷
   * intra-op threads, at least 1).
   */
  @WithName("batch-workers")
  @WithDefault("0")
  int batchWorkers();

  /** How long a request may wait for its batch before it is answered 503 (Go duration). */
  @WithName("request-timeout")
  @WithDefault("30s")
  String requestTimeout();

  /** Request bodies being received at once, in bytes, over all connections; beyond it a request gets 503. */
  @WithName("max-buffered-bytes")
  @WithDefault("268435456")
  long maxBufferedBytes();
}
