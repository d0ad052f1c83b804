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
    public static final String INTRA_OP_THREADS = "MODELPILOT_INTRA_OP_THREADS";
    public static final String INTER_OP_THREADS = "MODELPILOT_INTER_OP_THREADS";
    public static final String OPTIMIZATION_LEVEL = "MODELPILOT_OPTIMIZATION_LEVEL";
    public static final String MAX_BATCH_SIZE = "MODELPILOT_MAX_BATCH_SIZE";
    public static final String MAX_QUEUE_DELAY = "MODELPILOT_MAX_QUEUE_DELAY";
    public static final String EXECUTION_PROVIDER = "MODELPILOT_EXECUTION_PROVIDER";
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

  /** Prometheus names of the server's meters (Micrometer names with dots, as the Prometheus registry writes them). */
  public static final class Metrics {
    public static final String REQUESTS = "modelpilot_requests_total";
    public static final String REQUEST_DURATION_BUCKET = "modelpilot_request_duration_seconds_bucket";
    public static final String IN_FLIGHT = "modelpilot_inflight_requests";
    public static final String FEEDBACK = "modelpilot_feedback_total";

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
