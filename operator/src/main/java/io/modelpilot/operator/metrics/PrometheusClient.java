package io.modelpilot.operator.metrics;

/**
 * The one question autoscaling and canary analysis ask Prometheus: what is this expression's value now?
 * Narrow on purpose, so the deciding code is tested with a hand-written fake.
 */
public interface PrometheusClient {

  /** An instant query at Prometheus's current time; every failure is a {@link QueryResult}, never an exception. */
  QueryResult query(String promql);
}
