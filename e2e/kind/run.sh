#!/usr/bin/env bash
# The local-cluster scenarios on a real Kubernetes: Kind, for machines with Docker, kind, kubectl
# and helm. Creates (or reuses) a Kind cluster, builds and loads both images, installs Prometheus
# and the chart, applies an example and runs the JUnit autoscaling scenarios against the Kind cluster
# (AutoscalingScenarioTest with MODELPILOT_E2E_KUBECONFIG set; failures leave diagnostics under e2e/target/).
#   e2e/kind/run.sh            # KIND_CLUSTER=modelpilot by default
#   KEEP_CLUSTER=1 e2e/kind/run.sh
set -euo pipefail

cluster="${KIND_CLUSTER:-modelpilot}"
tag="${IMAGE_TAG:-dev}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

for tool in docker kind kubectl helm curl; do
  command -v "$tool" >/dev/null || { echo "e2e/kind: '$tool' is required" >&2; exit 1; }
done

./mvnw -B package -DskipTests
docker build -f operator/src/main/docker/Dockerfile.jvm -t "ghcr.io/modelpilot/operator:${tag}" operator
docker build -f runtime-image/Dockerfile -t "ghcr.io/modelpilot/runtime:${tag}" .

if ! kind get clusters | grep -qx "$cluster"; then
  kind create cluster --name "$cluster" --wait 180s
fi
cleanup() {
  if [[ -z "${KEEP_CLUSTER:-}" ]]; then
    kind delete cluster --name "$cluster"
  fi
}
trap cleanup EXIT

kind load docker-image --name "$cluster" "ghcr.io/modelpilot/operator:${tag}" "ghcr.io/modelpilot/runtime:${tag}"

kubectl apply -f e2e/kind/prometheus.yaml
kubectl -n monitoring rollout status deployment/prometheus --timeout=180s

# smaller default requests than the chart's (1 CPU, 1Gi per model-server pod), so that the scenarios'
# up to 3 replicas fit on one laptop-sized Kind node
helm upgrade --install modelpilot helm/modelpilot --namespace modelpilot-system --create-namespace \
  --set image.tag="$tag" --set runtime.image.tag="$tag" \
  --set prometheus.url=http://prometheus.monitoring.svc:9090 --set prometheus.scrapeInterval=1s \
  --set runtime.pod.resources.requests.cpu=100m --set runtime.pod.resources.requests.memory=256Mi \
  --wait --timeout 180s

kubectl create namespace kind-examples --dry-run=client -o yaml | kubectl apply -f -
kubectl -n kind-examples apply -f examples/cpu-model.yaml
kubectl -n kind-examples wait --for=condition=Ready modeldeployment/fraud-detector --timeout=300s
kubectl -n kind-examples delete -f examples/cpu-model.yaml --wait=true

# The JUnit autoscaling scenarios, against this cluster: they reach Services and Prometheus through
# kubectl proxy (the API server's service proxy spreads requests over ready endpoints as kube-proxy
# does) and stop Prometheus by scaling its Deployment to zero (KubeconfigCluster).
proxy_port="${PROXY_PORT:-8001}"
kubectl proxy --port="$proxy_port" >/dev/null &
proxy_pid=$!
trap 'kill "$proxy_pid" 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 30); do
  curl -fsS "http://127.0.0.1:${proxy_port}/version" >/dev/null 2>&1 && break
  sleep 1
done
MODELPILOT_E2E_KUBECONFIG="${KUBECONFIG:-$HOME/.kube/config}" \
MODELPILOT_E2E_API_PROXY="http://127.0.0.1:${proxy_port}" \
  ./mvnw -B test -pl e2e -am -Dtest=AutoscalingScenarioTest -Dsurefire.failIfNoSpecifiedTests=false
echo "kind scenarios passed"
