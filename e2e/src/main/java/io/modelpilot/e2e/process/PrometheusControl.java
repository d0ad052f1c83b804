package io.modelpilot.e2e.process;

import java.util.OptionalDouble;

/**
 * A Prometheus that a scenario can query, stop and start: the local cluster's {@link Prometheus} process, or a
 * real cluster's Prometheus Deployment. Here rather than beside the scenario cluster so that the process does not
 * depend on the cluster that runs it.
 */
public interface PrometheusControl {

  /** The value of the first sample of an instant query; empty when the result is empty. */
  OptionalDouble queryValue(String promql);

  /** Stops the server: the operator's queries fail until {@link #start()}. */
  void stop();

  /** Starts the server (again) and waits until it answers. */
  PrometheusControl start();
}
