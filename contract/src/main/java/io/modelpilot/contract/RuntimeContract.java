package io.modelpilot.contract;

import java.util.Locale;

/**
 * What the operator and the model server agree on: the labels a runtime pod carries (and Prometheus turns into
 * series labels), its port and paths, the environment it is configured by, and the metric names the operator's
 * PromQL reads. The operator builds pods, Services, ServiceMonitors and queries from these; the model server's
 * settings are checked against {@link Env} by a test of its own.
 */
public final class RuntimeContract {

  private RuntimeContract() {
  }

  /** Labels on every runtime pod, Deployment and Service. */
  public static final class Labels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String DEPLOYMENT = "modelpilot.io/deployment";
    public static final String REVISION = "modelpilot.io/revision";
    public static final String TRACK = "modelpilot.io/track";

    public static final String APP_NAME = "modelpilot-runtime";
    public static final String COMPONENT_MODEL_SERVER = "model-server";
    public static final String MANAGED_BY_OPERATOR = "modelpilot-operator";

    public static final String TRACK_STABLE = "stable";
    public static final String TRACK_CANARY = "canary";

    private Labels() {
    }

    /**
     * The series label Prometheus derives from a pod label (pod/service monitors and kubernetes_sd relabelling
     * replace every character outside {@code [a-zA-Z0-9_]} with {@code _}): modelpilot.io/track →
     * modelpilot_io_track.
     */
    public static String asSeriesLabel(String podLabel) {
      return podLabel.replaceAll("[^a-zA-Z0-9_]", "_");
    }
  }

  /** The server's one HTTP port and what it serves. */
  public static final class Http {
    public static final int PORT = 8080;
    public static final String PORT_NAME = "http";
    public static final String READY_PATH = "/v2/health/ready";
    public static final String LIVE_PATH = "/v2/health/live";
    public static final String METRICS_PATH = "/q/metrics";
    /**
     * How long the server lets requests in flight finish after SIGTERM ({@code quarkus.shutdown.timeout} in its
     * application.properties); the operator's terminationGracePeriodSeconds covers it.
     */
    public static final int SHUTDOWN_TIMEOUT_SECONDS = 10;
    /** Marks the server's own warm-up requests, which no request metric counts. */
    public static final String WARMUP_HEADER = "X-ModelPilot-Warmup";

    private Http() {
    }
  }

  /** The environment the operator configures a runtime container with. */
  public static final class Env {
    public static final String PREFIX = "MODELPILOT_";
    public static final String MODEL_URI = "MODELPILOT_MODEL_URI";
    public static final String MODEL_NAME = "MODELPILOT_MODEL_NAME";
    public static final String MODEL_VERSION = "MODELPILOT_MODEL_VERSION";
    public static final String MODEL_CREDENTIALS_DIR = "MODELPILOT_MODEL_CREDENTIALS_DIR";
    /** Hex SHA-256 the model must have; a mismatch stops the server (reason {@link ModelLoad#DIGEST_MISMATCH}). */
    public static final String MODEL_SHA256 = "MODELPILOT_MODEL_SHA256";
    /** Largest model the server downloads, in bytes. */
    public static final String MODEL_MAX_BYTES = "MODELPILOT_MODEL_MAX_BYTES";
    /** Where downloads are kept, by digest or URI, so a restarted container reuses a verified file. */
    public static final String MODEL_CACHE_DIR = "MODELPILOT_MODEL_CACHE_DIR";
    /** Longest wait for the next byte of a download (Go duration): a stalled server fails the load. */
    public static final String MODEL_READ_TIMEOUT = "MODELPILOT_MODEL_READ_TIMEOUT";
    /** Longest a whole download may take (Go duration). */
    public static final String MODEL_DOWNLOAD_TIMEOUT = "MODELPILOT_MODEL_DOWNLOAD_TIMEOUT";
    /** true: credentials and S3 requests may go over plain http (a local MinIO); otherwise only over TLS. */
    public static final String MODEL_ALLOW_PLAIN_HTTP = "MODELPILOT_MODEL_ALLOW_PLAIN_HTTP";
    /** s3:// sources: the S3 API's URL (MinIO, Ceph RGW, GCS interoperability); AWS S3 when unset. */
    public static final String MODEL_S3_ENDPOINT = "MODELPILOT_MODEL_S3_ENDPOINT";
    public static final String MODEL_S3_REGION = "MODELPILOT_MODEL_S3_REGION";
    /** true: bucket in the path (http://host/bucket/key), as MinIO and most S3-compatible servers want. */
    public static final String MODEL_S3_PATH_STYLE = "MODELPILOT_MODEL_S3_PATH_STYLE";
    public static final String INTRA_OP_THREADS = "MODELPILOT_INTRA_OP_THREADS";
    public static final String INTER_OP_THREADS = "MODELPILOT_INTER_OP_THREADS";
    public static final String OPTIMIZATION_LEVEL = "MODELPILOT_OPTIMIZATION_LEVEL";
    public static final String MAX_BATCH_SIZE = "MODELPILOT_MAX_BATCH_SIZE";
    public static final String MAX_QUEUE_DELAY = "MODELPILOT_MAX_QUEUE_DELAY";
    public static final String EXECUTION_PROVIDER = "MODELPILOT_EXECUTION_PROVIDER";
    /**
     * The pod's revision (its {@link Labels#REVISION} label through the downward API): prediction tokens name it, and
     * feedback on them is counted under it as {@link Metrics.SeriesLabels#PREDICTION_REVISION}.
     */
    public static final String REVISION = "MODELPILOT_REVISION";
    /** File of the HMAC key that signs prediction tokens (the ModelDeployment's feedback-key Secret, mounted). */
    public static final String FEEDBACK_KEY_FILE = "MODELPILOT_FEEDBACK_KEY_FILE";
    /** Quarkus' own setting, not the model server's. */
    public static final String HTTP_PORT = "QUARKUS_HTTP_PORT";

    private Env() {
    }

    /**
     * The config property an environment variable sets (SmallRye Config's environment mapping):
     * MODELPILOT_MODEL_URI → modelpilot.model-uri.
     */
    public static String property(String variable) {
      if (!variable.startsWith(PREFIX)) {
        throw new IllegalArgumentException(variable + " is not a MODELPILOT_ setting");
      }
      return "modelpilot." + variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * Why a model could not be served. The server writes {@code {"reason": …, "message": …}} to its termination
   * message before it exits, and the operator reports the reason on the ModelDeployment's Ready condition.
   */
  public static final class ModelLoad {
    /** Where the server writes its termination message (the container's terminationMessagePath). */
    public static final String TERMINATION_MESSAGE_PATH = "/dev/termination-log";
    /** Overrides {@link #TERMINATION_MESSAGE_PATH} (a local cluster runs containers as plain processes). */
    public static final String TERMINATION_MESSAGE_PATH_VARIABLE = "MODELPILOT_TERMINATION_MESSAGE_PATH";

    public static final String DIGEST_MISMATCH = "ModelDigestMismatch";
    public static final String ACCESS_DENIED = "ModelAccessDenied";
    public static final String NOT_FOUND = "ModelNotFound";
    public static final String TOO_LARGE = "ModelTooLarge";
    public static final String DOWNLOAD_TIMEOUT = "ModelDownloadTimeout";
    public static final String DOWNLOAD_FAILED = "ModelDownloadFailed";
    public static final String INVALID_SOURCE = "InvalidModelSource";
    /**
     * The credentials directory holds no keys: the Secret that spec.model.credentialsSecretRef names is missing (its
     * volume is optional, so the pod starts and says so, and the operator needs no read access to Secrets).
     */
    public static final String CREDENTIALS_NOT_FOUND = "CredentialsSecretNotFound";
    /** Any other failure: the file is not a model ONNX Runtime can load, a setting is wrong, … */
    public static final String LOAD_FAILED = "ModelLoadFailed";

    private ModelLoad() {
    }
  }

  /** Prometheus names of the server's meters (Micrometer names with dots, as the Prometheus registry writes them). */
  public static final class Metrics {
    public static final String REQUESTS = "modelpilot_requests_total";
    public static final String REQUEST_DURATION_BUCKET = "modelpilot_request_duration_seconds_bucket";
    public static final String IN_FLIGHT = "modelpilot_inflight_requests";
    public static final String FEEDBACK = "modelpilot_feedback_total";

    /** Labels of the feedback series. */
    public static final class SeriesLabels {
      /**
       * The revision that made the judged prediction (from its prediction token), whichever pod received the
       * feedback: the canary analysis selects feedback by it, not by the receiving pod's track.
       */
      public static final String PREDICTION_REVISION = "prediction_revision";

      private SeriesLabels() {
      }
    }

    private Metrics() {
    }
  }

  /** Pod annotations a plain Prometheus kubernetes_sd configuration scrapes by. */
  public static final class Annotations {
    public static final String SCRAPE = "prometheus.io/scrape";
    public static final String PORT = "prometheus.io/port";
    public static final String PATH = "prometheus.io/path";

    private Annotations() {
    }
  }
}
