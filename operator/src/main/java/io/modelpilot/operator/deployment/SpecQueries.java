package io.modelpilot.operator.deployment;

import io.modelpilot.operator.api.v1alpha1.AnalysisMetric;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ScalingMetric;
import io.modelpilot.operator.metrics.NamespaceGuard;
import io.modelpilot.operator.metrics.PromQL;
import io.modelpilot.operator.status.Reasons;

import java.util.ArrayList;
import java.util.List;

/**
 * The PromQL a ModelDeployment brings (custom metrics of autoscaling and canary analysis), checked against
 * {@link NamespaceGuard} as the adapters will send it ($namespace and $deployment substituted). A query that
 * could read another namespace's series is a problem of the spec: Ready=False naming the field, nothing rolled
 * out; the adapters refuse to send it anyway.
 */
final class SpecQueries {

  private SpecQueries() {
  }

  static List<ReferenceProblem> problems(ModelDeployment md, boolean otherNamespacesAllowed) {
    List<ReferenceProblem> problems = new ArrayList<>();
    if (otherNamespacesAllowed) {
      return problems;
    }
    String namespace = md.getMetadata().getNamespace();
    var placeholders = PromQL.placeholders(PromQL.Target.allTracks(namespace, md.getMetadata().getName()));
    var autoscaling = md.getSpec().getAutoscaling();
    if (autoscaling != null && autoscaling.getMetrics() != null) {
      for (int i = 0; i < autoscaling.getMetrics().size(); i++) {
        ScalingMetric m = autoscaling.getMetrics().get(i);
        if (m.getType() == ScalingMetric.Type.PROMQL && m.getQuery() != null) {
          check(problems, "spec.autoscaling.metrics[" + i + "].query",
              PromQL.substitute(m.getQuery(), placeholders), namespace);
        }
      }
    }
    var rollout = md.getSpec().getRollout();
    if (rollout != null && rollout.getAnalysis() != null && rollout.getAnalysis().getMetrics() != null) {
      List<AnalysisMetric> metrics = rollout.getAnalysis().getMetrics();
      for (int i = 0; i < metrics.size(); i++) {
        AnalysisMetric m = metrics.get(i);
        if (m.getType() == AnalysisMetric.Type.PROMQL && m.getQuery() != null) {
          check(problems, "spec.rollout.analysis.metrics[" + i + "].query",
              PromQL.substitute(m.getQuery(), placeholders), namespace);
        }
      }
    }
    return problems;
  }

  private static void check(List<ReferenceProblem> problems, String field, String query, String namespace) {
    NamespaceGuard.violation(query, namespace).ifPresent(v -> problems.add(new ReferenceProblem(
        Reasons.QUERY_OUTSIDE_NAMESPACE, field, field + ": " + v + " (the operator's setting "
            + "MODELPILOT_PROMQL_ALLOW_OTHER_NAMESPACES is off)")));
  }
}
