#!/usr/bin/env bash
# The local-cluster scenarios on a real Kubernetes: Kind, for machines with Docker, kind, kubectl
# and helm. Creates (or reuses) a Kind cluster, builds and loads both images, installs Prometheus
# and the chart, applies the examples and runs the autoscaling scenario against the Kind cluster.
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

# the local cluster's autoscaling scenario, asserted through the API: rising load scales up, no load scales
# back down after the window, deletion removes the pods (the JUnit scenarios need the local kubelet's processes)
kubectl -n kind-examples apply -f examples/autoscaling-demo.yaml
kubectl -n kind-examples wait --for=condition=Ready modeldeployment/fraud-demo --timeout=300s
# shellcheck disable=SC2016  # the loop runs in the pod's shell
kubectl -n kind-examples run load --image=curlimages/curl:8.10.1 --restart=Never --command -- sh -c \
  'while true; do for i in $(seq 40); do curl -s -o /dev/null -H "Content-Type: application/json" \
     -d "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":[1,2,3,4,5,6,7,8]}]}" \
     http://fraud-demo:8080/v2/models/fraud-demo/infer & done; wait; sleep 1; done'

replicas() { kubectl -n kind-examples get deployment fraud-demo -o jsonpath='{.spec.replicas}'; }
await_replicas() { # await_replicas MIN MAX DESCRIPTION: waits up to 4 minutes for MIN <= replicas <= MAX
  local n
  for _ in $(seq 120); do
    n=$(replicas)
    if ((n >= $1 && n <= $2)); then echo "ok: $3 ($n replicas)"; return 0; fi
    sleep 2
  done
  echo "FAILED: $3 (replicas $(replicas))" >&2
  kubectl -n kind-examples describe modeldeployment fraud-demo >&2
  exit 1
}
await_replicas 2 4 "rising load scaled fraud-demo up"
kubectl -n kind-examples delete pod load --wait=true
await_replicas 1 1 "no load: fraud-demo scaled back to 1 after the stabilization window"
kubectl -n kind-examples delete modeldeployment fraud-demo --wait=true
for _ in $(seq 60); do
  [[ -z "$(kubectl -n kind-examples get pods -l modelpilot.io/deployment=fraud-demo -o name)" ]] && break
  sleep 2
done
[[ -z "$(kubectl -n kind-examples get pods -l modelpilot.io/deployment=fraud-demo -o name)" ]] \
  || { echo "FAILED: fraud-demo's pods outlived the ModelDeployment" >&2; exit 1; }
echo "kind scenario passed"
