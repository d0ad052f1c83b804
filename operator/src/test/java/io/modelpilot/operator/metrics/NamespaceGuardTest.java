package io.modelpilot.operator.metrics;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class NamespaceGuardTest {

  private static final String NS = "team-a";

  @ParameterizedTest
  @ValueSource(strings = {
      "sum(rate(my_queue_total{namespace=\"team-a\"}[1m]))",
      "my_metric{namespace=\"team-a\",modelpilot_io_track=\"$track\"}",
      "sum by (namespace, pod) (rate(x{namespace=\"team-a\"}[5m])) / on(namespace) group_left(pod) y{namespace='team-a'}",
      "histogram_quantile(0.99, sum by (le) (rate(h_bucket{namespace=\"team-a\", job=~\"a|b\"}[5m:30s] offset 1m)))",
      "label_replace(up{namespace=\"team-a\"}, \"ns\", \"$1\", \"namespace\", \"(.*)\")",
      "{__name__=\"up\", namespace=\"team-a\"}",
      "{\"up\", namespace=\"team-a\"}",
      "vector(1)",
      "time() - 5e3",
      "scalar(x{namespace=\"team-a\"}) > bool 1",
      "x{namespace=\"team-a\"} # y{namespace=\"team-b\"} is only a comment",
      "x{namespace=\"team-a\"} and on() y{namespace=`team-a`} @ start()",
      "sum without (namespace) (x{namespace=\"team-a\", a=\"}{\"})",
      "max_over_time(x:recorded:rate5m{namespace=\"team-a\"}[10m]) > Inf",
  })
  void selectorsHeldToTheirNamespacePass(String query) {
    assertThat(NamespaceGuard.violation(query, NS)).as(query).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "up",
      "sum(rate(x[1m]))",
      "x{namespace=\"team-b\"}",
      "x{namespace=~\"team-.*\"}",
      "x{namespace!=\"team-a\"}",
      "x{namespace=\"team-a\"} + y{job=\"z\"}",
      "{__name__=\"up\"}",
      "x{namespace=\"team-a\"} or y",
      "x{label=\"namespace=\\\"team-a\\\"\"}",
      "sum by (namespace) (x)",
      "x{namespace=\"team-a\"} / on(namespace) group_left y{namespace=\"team-b\"}",
      "x{namespace=\"team-a\"",
      "x{namespace=\"team-a}",
  })
  void anythingThatCouldReadAnotherNamespaceIsRefused(String query) {
    assertThat(NamespaceGuard.violation(query, NS)).as(query).isPresent();
  }

  @Test
  void theRefusalNamesTheSelectorAndTheFix() {
    assertThat(NamespaceGuard.violation("sum(x{namespace=\"team-a\"}) / sum(y{job=\"api\"})", NS)).hasValue(
        "the selector y{job=\"api\"} does not keep to namespace \"team-a\": every selector needs "
            + "namespace=\"$namespace\"");
  }

  @Test
  void aGuardedClientNeverSendsARefusedQuery() {
    List<String> sent = new ArrayList<>();
    PrometheusClient prometheus = q -> {
      sent.add(q);
      return new QueryResult.NoData();
    };
    PrometheusClient guarded = NamespaceGuard.guard(prometheus, NS, false);
    assertThat(guarded.query("x{namespace=\"team-b\"}")).isInstanceOfSatisfying(QueryResult.BadQuery.class,
        b -> assertThat(b.error()).startsWith("refused: the selector x{namespace=\"team-b\"}"));
    guarded.query("x{namespace=\"team-a\"}");
    assertThat(sent).containsExactly("x{namespace=\"team-a\"}");
    // the platform may allow it
    assertThat(NamespaceGuard.guard(prometheus, NS, true)).isSameAs(prometheus);
  }
}
