package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** How a canary's share of the requests is set. Absent: by its share of the pods behind the one Service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrafficSpec {

  @JsonProperty("gatewayAPI")
  @JsonPropertyDescription("Split the requests between stable and canary by the weights of a Gateway API HTTPRoute "
      + "(gateway.networking.k8s.io/v1) the operator writes at each step: stable 100-weight, canary weight. Needs "
      + "the Gateway API CRDs in the cluster; without them the canary's share follows its pods and the "
      + "TrafficRouting condition says why.")
  private GatewayApiTraffic gatewayApi;

  public GatewayApiTraffic getGatewayApi() {
    return gatewayApi;
  }

  public void setGatewayApi(GatewayApiTraffic gatewayApi) {
    this.gatewayApi = gatewayApi;
  }
}
