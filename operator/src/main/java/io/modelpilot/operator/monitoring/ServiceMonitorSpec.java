package io.modelpilot.operator.monitoring;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.LabelSelector;

import java.util.List;
import java.util.Objects;

/** The subset of the ServiceMonitor spec ModelPilot writes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceMonitorSpec {

  private LabelSelector selector;
  private List<Endpoint> endpoints;
  private List<String> podTargetLabels;

  public LabelSelector getSelector() {
    return selector;
  }

  public void setSelector(LabelSelector selector) {
    this.selector = selector;
  }

  public List<Endpoint> getEndpoints() {
    return endpoints;
  }

  public void setEndpoints(List<Endpoint> endpoints) {
    this.endpoints = endpoints;
  }

  public List<String> getPodTargetLabels() {
    return podTargetLabels;
  }

  public void setPodTargetLabels(List<String> podTargetLabels) {
    this.podTargetLabels = podTargetLabels;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ServiceMonitorSpec s && Objects.equals(selector, s.selector)
        && Objects.equals(endpoints, s.endpoints) && Objects.equals(podTargetLabels, s.podTargetLabels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(selector, endpoints, podTargetLabels);
  }

  /** One scraped port. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Endpoint {
    private String port;
    private String path;
    private String interval;

    public Endpoint() {
    }

    public Endpoint(String port, String path, String interval) {
      this.port = port;
      this.path = path;
      this.interval = interval;
    }

    public String getPort() {
      return port;
    }

    public void setPort(String port) {
      this.port = port;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public String getInterval() {
      return interval;
    }

    public void setInterval(String interval) {
      this.interval = interval;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Endpoint e && Objects.equals(port, e.port) && Objects.equals(path, e.path)
          && Objects.equals(interval, e.interval);
    }

    @Override
    public int hashCode() {
      return Objects.hash(port, path, interval);
    }
  }
}
