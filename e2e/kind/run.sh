#!/usr/bin/env bash
# The local-cluster scenarios on a real Kubernetes: Kind, for machines with Docker, kind, kubectl
# and helm. Creates (or reuses) a Kind cluster, builds and loads both images, installs Prometheus
# and the chart, applies the examples and runs the JUnit scenarios against the current kubeconfig.
#   e2e/kind/run.sh            # KIND_CLUSTER=modelpilot by default
#   KEEP_CLUSTER=1 e2e/kind/run.sh
set -euo pipefail

cluster="${KIND_CLUSTER:-modelpilot}"
tag="${IMAGE_TAG:-dev}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

for tool in docker kind kubectl helm; do
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

helm upgrade --install modelpilot helm/modelpilot --namespace modelpilot-system --create-namespace \
  --set image.tag="$tag" --set runtime.image.tag="$tag" \
  --set prometheus.url=http://prometheus.monitoring.svc:9090 --wait --timeout 180s

kubectl create namespace kind-examples --dry-run=client -o yaml | kubectl apply -f -
kubectl -n kind-examples apply -f examples/cpu-model.yaml
kubectl -n kind-examples wait --for=condition=Ready modeldeployment/fraud-detector --timeout=300s

# the same scenarios as the local cluster, with the cluster taken from the current kubeconfig
./mvnw -B -pl e2e verify -De2e.cluster=kubeconfig
