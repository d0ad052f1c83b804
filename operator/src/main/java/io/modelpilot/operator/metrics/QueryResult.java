package io.modelpilot.operator.metrics;

import java.time.Instant;
import java.util.Objects;

/**
 * What an instant query gave. Callers must tell "no data yet" from "Prometheus is down" from "the query is
 * wrong": a canary must not be rolled back because Prometheus restarted, and a typo in a user's PromQL must
 * surface as a condition on the resource rather than as an endless retry.
 */
public sealed interface QueryResult {

  /** One number: a scalar result, or a vector of exactly one series. May be ±Infinity, never NaN. */
  record Value(double value, Instant at) implements QueryResult {
    public Value {
      if (Double.isNaN(value)) {
        throw new IllegalArgumentException("NaN is NoData, not a Value");
      }
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * Nothing to judge: an empty vector (no pod has reported the series yet, or the selector matches nothing),
   * or NaN. Prometheus answers NaN where a ratio has no traffic behind it (a rate of 0 divided by a rate of
   * 0, e.g. an error rate while no requests arrive), for histogram_quantile over buckets that saw nothing,
   * and for gauges a process reports as NaN (the runtime's model load time before the model is loaded).
   * None of those is a measurement, so none may drive a scaling or rollback decision.
   */
  record NoData() implements QueryResult {
  }

  /** No usable answer: connection refused, timeout, HTTP 5xx or another non-query error, an unparsable body. */
  record Unreachable(String reason) implements QueryResult {
    public Unreachable {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * Prometheus refused the query (HTTP 400/422: parse errors, bad_data, execution errors), or its answer is
   * not one number (several series, a range vector, a string). Retrying will not help; the query must change.
   */
  record BadQuery(String error) implements QueryResult {
    public BadQuery {
      Objects.requireNonNull(error, "error");
    }
  }
}
