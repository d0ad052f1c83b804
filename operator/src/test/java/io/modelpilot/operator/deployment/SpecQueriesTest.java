package io.modelpilot.operator.deployment;

import io.modelpilot.operator.api.v1alpha1.AnalysisMetric;
import io.modelpilot.operator.api.v1alpha1.AnalysisSpec;
import io.modelpilot.operator.api.v1alpha1.AutoscalingSpec;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.RolloutSpec;
import io.modelpilot.operator.api.v1alpha1.ScalingMetric;
import io.modelpilot.operator.status.Reasons;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SpecQueriesTest {

  @Test
  void aQueryReachingIntoAnotherNamespaceIsAProblemOfItsField() {
    ModelDeployment md = RuntimeDeploymentFactoryTest.cpuModel(); // namespace ml
    ScalingMetric own = new ScalingMetric();
    own.setType(ScalingMetric.Type.PROMQL);
    own.setQuery("sum(queue_depth{namespace=\"$namespace\"})");
    ScalingMetric other = new ScalingMetric();
    other.setType(ScalingMetric.Type.PROMQL);
    other.setQuery("sum(queue_depth{namespace=\"payments\"})");
    AutoscalingSpec autoscaling = new AutoscalingSpec();
    autoscaling.setMetrics(List.of(own, other));
    md.getSpec().setAutoscaling(autoscaling);
    AnalysisMetric unscoped = new AnalysisMetric();
    unscoped.setType(AnalysisMetric.Type.PROMQL);
    unscoped.setQuery("up");
    AnalysisSpec analysis = new AnalysisSpec();
    analysis.setMetrics(List.of(unscoped));
    RolloutSpec rollout = new RolloutSpec();
    rollout.setAnalysis(analysis);
    md.getSpec().setRollout(rollout);

    assertThat(SpecQueries.problems(md, false)).satisfiesExactly(
        p -> {
          assertThat(p.reason()).isEqualTo(Reasons.QUERY_OUTSIDE_NAMESPACE);
          assertThat(p.field()).isEqualTo("spec.autoscaling.metrics[1].query");
          assertThat(p.message()).startsWith("spec.autoscaling.metrics[1].query: the selector "
              + "queue_depth{namespace=\"payments\"} does not keep to namespace \"ml\"");
        },
        p -> assertThat(p.field()).isEqualTo("spec.rollout.analysis.metrics[0].query"));
    assertThat(SpecQueries.problems(md, true)).as("the platform allows it").isEmpty();
  }
}
