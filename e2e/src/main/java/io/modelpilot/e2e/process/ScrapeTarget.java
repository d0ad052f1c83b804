package io.modelpilot.e2e.process;

import java.util.Map;

/** One runtime process as Prometheus should scrape it: address and the labels a PodMonitor would attach. */
public record ScrapeTarget(String address, Map<String, String> labels) {

  public ScrapeTarget {
    labels = Map.copyOf(labels);
  }
}
