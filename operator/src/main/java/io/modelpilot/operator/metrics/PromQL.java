package io.modelpilot.operator.metrics;

import io.modelpilot.contract.RuntimeContract;
import io.modelpilot.contract.RuntimeContract.Labels;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PromQL text built from names users control (namespaces, deployment names, their own templates). Every value
 * goes through {@link #labelValue}, so a name can never end the string it sits in and add a matcher or an
 * {@code or vector(1)} to the query.
 */
public final class PromQL {

  // Pod labels modelpilot.io/deployment etc. as a Prometheus pod/service monitor sanitises them
  public static final String LABEL_NAMESPACE = "namespace";
  public static final String LABEL_POD = "pod";
  public static final String LABEL_DEPLOYMENT = Labels.asSeriesLabel(Labels.DEPLOYMENT);
  public static final String LABEL_TRACK = Labels.asSeriesLabel(Labels.TRACK);
  public static final String LABEL_REVISION = Labels.asSeriesLabel(Labels.REVISION);
  /** On feedback series: the revision that made the judged prediction (the runtime's own label, from its token). */
  public static final String LABEL_PREDICTION_REVISION = RuntimeContract.Metrics.SeriesLabels.PREDICTION_REVISION;

  // Micrometer's Prometheus names for the runtime's meters (runtime-image ServerMetrics)
  public static final String REQUESTS = RuntimeContract.Metrics.REQUESTS;
  public static final String REQUEST_DURATION_BUCKET = RuntimeContract.Metrics.REQUEST_DURATION_BUCKET;
  public static final String IN_FLIGHT = RuntimeContract.Metrics.IN_FLIGHT;
  public static final String FEEDBACK = RuntimeContract.Metrics.FEEDBACK;
  public static final String PROCESS_CPU = "process_cpu_usage";
  public static final String DCGM_GPU_UTIL = "DCGM_FI_DEV_GPU_UTIL";

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  // Prometheus 2.x model.ParseDuration: units in descending order, each at most once
  private static final Pattern DURATION =
      Pattern.compile("(?=.)([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?");
  // ${name} or the longest $name: "$deploymentx" is the word deploymentx, never $deployment + "x"
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\$\\{([a-zA-Z_][a-zA-Z0-9_]*)}|\\$([a-zA-Z_][a-zA-Z0-9_]*)");
  private static final String RE2_META = "\\.+*?()|[]{}^$";

  private PromQL() {
  }

  /** The ModelDeployment whose runtime pods a query looks at; a null track or revision means all of them. */
  public record Target(String namespace, String deployment, String track, String revision) {
    public Target {
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(deployment, "deployment");
    }

    public static Target allTracks(String namespace, String deployment) {
      return new Target(namespace, deployment, null, null);
    }

    public Target withTrack(String track) {
      return new Target(namespace, deployment, track, revision);
    }

    public Target withRevision(String revision) {
      return new Target(namespace, deployment, track, revision);
    }

    SortedMap<String, String> labels() {
      SortedMap<String, String> labels = new TreeMap<>();
      labels.put(LABEL_NAMESPACE, namespace);
      labels.put(LABEL_DEPLOYMENT, deployment);
      if (track != null) {
        labels.put(LABEL_TRACK, track);
      }
      if (revision != null) {
        labels.put(LABEL_REVISION, revision);
      }
      return labels;
    }
  }

  /**
   * {@code raw} escaped to stand between double quotes in PromQL. Besides backslash, quote, \n, \r and \t,
   * the other control characters become {@code \xNN}: PromQL rejects a raw newline and a log line is easier
   * to read without raw control bytes. Everything else, Unicode included, passes through as is.
   */
  public static String labelValue(String raw) {
    Objects.requireNonNull(raw, "raw");
    StringBuilder out = new StringBuilder(raw.length() + 8);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /**
   * {@code raw} as an RE2 regular expression matching exactly that text, already label-escaped: the result
   * goes straight between the quotes of {@code =~"..."}. Regex syntax appended to it must be label-safe too
   * ({@code -.*} is).
   */
  public static String regexLiteral(String raw) {
    Objects.requireNonNull(raw, "raw");
    StringBuilder regex = new StringBuilder(raw.length() + 8);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (RE2_META.indexOf(c) >= 0) {
        regex.append('\\');
      }
      regex.append(c);
    }
    return labelValue(regex.toString());
  }

  /** {@code metric{a="x",b="y"}} with equality matchers, labels sorted so the same input gives the same text. */
  public static String selector(String metric, Map<String, String> equalLabels) {
    return selector(metric, equalLabels, List.of());
  }

  /** As {@link #selector(String, Map)}, followed by matchers built with {@link #matcher}. */
  private static String selector(String metric, Map<String, String> equalLabels, List<String> matchers) {
    Objects.requireNonNull(equalLabels, "equalLabels");
    if (!METRIC_NAME.matcher(metric).matches()) {
      throw new IllegalArgumentException("not a Prometheus metric name: \"" + metric + "\"");
    }
    StringBuilder out = new StringBuilder(metric).append('{');
    String separator = "";
    for (Map.Entry<String, String> label : new TreeMap<>(equalLabels).entrySet()) {
      out.append(separator).append(matcher(label.getKey(), "=", labelValue(label.getValue())));
      separator = ",";
    }
    for (String matcher : matchers) {
      out.append(separator).append(matcher);
      separator = ",";
    }
    return out.append('}').toString();
  }

  /**
   * A user's PromQL template with {@code $name} and {@code ${name}} replaced by the label-escaped value of
   * {@code placeholders.get(name)} (keys without the {@code $}): templates quote placeholders themselves,
   * {@code {namespace="$namespace"}}. Words that are not keys stay as they are, so PromQL that uses
   * {@code $} for something else still reaches Prometheus unchanged. Values are label-escaped, not
   * regex-escaped: inside {@code =~"$deployment-.*"} a dot in the name still matches any character.
   */
  public static String substitute(String template, Map<String, String> placeholders) {
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(placeholders, "placeholders");
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 16);
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2);
      String value = placeholders.get(name);
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? labelValue(value) : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The usual placeholders of a ModelDeployment's user templates: namespace, deployment, track, revision. */
  public static Map<String, String> placeholders(Target target) {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("namespace", target.namespace());
    values.put("deployment", target.deployment());
    if (target.track() != null) {
      values.put("track", target.track());
    }
    if (target.revision() != null) {
      values.put("revision", target.revision());
    }
    return values;
  }

  /** Requests per second over all pods of the target. */
  public static String requestsPerSecond(Target target, String window) {
    return "sum(rate(" + selector(REQUESTS, target.labels()) + range(window) + "))";
  }

  /**
   * Fraction of requests answered with an error, 4xx or 5xx: a model server that rejects what clients send
   * (a canary refusing inputs the stable model accepted) fails them as much as one that crashes. The runtime
   * creates a status class's counter on its first request of that class, so without {@code or vector(0)} a
   * deployment that never failed would have no error rate at all instead of 0. No traffic still gives NoData
   * (0/0).
   */
  public static String errorRate(Target target, String window) {
    String all = selector(REQUESTS, target.labels());
    String failed = selector(REQUESTS, target.labels(), List.of(matcher("status_class", "=~", "4xx|5xx")));
    return "(sum(rate(" + failed + range(window) + ")) or vector(0)) / sum(rate(" + all + range(window) + "))";
  }

  /** Quantile {@code q} (0..1) of request latency, in seconds, from the runtime's histogram. */
  public static String latencyQuantile(Target target, String window, double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be between 0 and 1: " + q);
    }
    return "histogram_quantile(" + BigDecimal.valueOf(q).stripTrailingZeros().toPlainString()
        + ", sum by (le) (rate(" + selector(REQUEST_DURATION_BUCKET, target.labels()) + range(window) + ")))";
  }

  /** Requests being served right now, over all pods. */
  public static String inFlight(Target target) {
    return "sum(" + selector(IN_FLIGHT, target.labels()) + ")";
  }

  /**
   * Mean CPU use of the pods, in percent of the CPUs available to each pod (Micrometer's process_cpu_usage
   * is 0..1 of the JVM's available processors, which follow the container's CPU limit).
   */
  public static String cpuUtilization(Target target) {
    return "avg(" + selector(PROCESS_CPU, target.labels()) + ") * 100";
  }

  /**
   * Mean GPU utilisation (percent) of the target's pods, from NVIDIA's DCGM exporter. Its series describe a
   * GPU, not our pod, so they carry none of the modelpilot_io_* labels: the exporter (with its Kubernetes
   * pod mapping on, the default) adds {@code namespace} and {@code pod} of the pod the GPU is assigned to,
   * and this assumes Prometheus scrapes it with {@code honor_labels: true}, else those become
   * {@code exported_namespace}/{@code exported_pod}. Pods are matched by name as {@code <deployment>-...}, so
   * track and revision cannot narrow this query, and in the same namespace another ModelDeployment whose name
   * starts with {@code <deployment>-} is counted as well.
   */
  public static String gpuUtilization(Target target) {
    return "avg(" + selector(DCGM_GPU_UTIL, Map.of(LABEL_NAMESPACE, target.namespace()),
        List.of(matcher(LABEL_POD, "=~", regexLiteral(target.deployment()) + "-.*"))) + ")";
  }

  /**
   * Fraction of ground-truth feedback that found the prediction correct; 0 when all of it was incorrect. Feedback is
   * selected by the revision that made the prediction ({@value #LABEL_PREDICTION_REVISION}, which the runtime reads
   * from the prediction token), not by the pod that received it: behind one Service a stable pod judges canary
   * predictions too. A target without a revision takes all the deployment's feedback.
   */
  public static String accuracy(Target target, String window) {
    SortedMap<String, String> correct = feedbackLabels(target);
    correct.put("result", "correct");
    return "(sum(rate(" + selector(FEEDBACK, correct) + range(window) + ")) or vector(0)) / sum(rate("
        + selector(FEEDBACK, feedbackLabels(target)) + range(window) + "))";
  }

  /** Ground-truth feedback received per second (correct or not) on the target revision's predictions. */
  public static String feedbackPerSecond(Target target, String window) {
    return "sum(rate(" + selector(FEEDBACK, feedbackLabels(target)) + range(window) + "))";
  }

  /** Namespace, deployment and prediction revision: the receiving pod's track and revision play no part. */
  private static SortedMap<String, String> feedbackLabels(Target target) {
    SortedMap<String, String> labels = new TreeMap<>();
    labels.put(LABEL_NAMESPACE, target.namespace());
    labels.put(LABEL_DEPLOYMENT, target.deployment());
    if (target.revision() != null) {
      labels.put(LABEL_PREDICTION_REVISION, target.revision());
    }
    return labels;
  }

  private static String matcher(String label, String operator, String escapedValue) {
    if (label == null || !LABEL_NAME.matcher(label).matches()) {
      throw new IllegalArgumentException("not a Prometheus label name: \"" + label + "\"");
    }
    return label + operator + '"' + escapedValue + '"';
  }

  private static String range(String window) {
    if (window == null || !DURATION.matcher(window).matches()) {
      throw new IllegalArgumentException("not a Prometheus duration (e.g. 30s, 1m, 1h30m): \"" + window + "\"");
    }
    return "[" + window + "]";
  }
}
