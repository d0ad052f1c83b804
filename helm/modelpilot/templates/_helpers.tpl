{{/*
Chart name, truncated to the 63 characters allowed in a label value.
*/}}
{{- define "modelpilot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: <release>-<chart>, or <release> when the release
name already contains the chart name. Truncated to 63 characters because some
Kubernetes name fields are limited to that (DNS-1123 label).
*/}}
{{- define "modelpilot.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, as used by the helm.sh/chart label.
*/}}
{{- define "modelpilot.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels for every resource of the chart.
*/}}
{{- define "modelpilot.labels" -}}
helm.sh/chart: {{ include "modelpilot.chart" . }}
{{ include "modelpilot.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels: the stable subset used by the Deployment's selector.
*/}}
{{- define "modelpilot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "modelpilot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the ServiceAccount the operator runs as.
*/}}
{{- define "modelpilot.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "modelpilot.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Operator image reference.
*/}}
{{- define "modelpilot.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
Model runtime image reference handed to the operator.
*/}}
{{- define "modelpilot.runtimeImage" -}}
{{- printf "%s:%s" .Values.runtime.image.repository (.Values.runtime.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "modelpilot.runtimeCudaImage" -}}
{{- printf "%s:%s" .Values.runtime.cudaImage.repository (.Values.runtime.cudaImage.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* serviceMonitor.labels as key=value,key=value (MODELPILOT_SERVICE_MONITOR_LABELS), in key order */}}
{{- define "modelpilot.serviceMonitorLabels" -}}
{{- $pairs := list }}
{{- range $k, $v := .Values.serviceMonitor.labels }}
{{- $pairs = append $pairs (printf "%s=%s" $k $v) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}

{{/*
Value of MODELPILOT_WATCH_NAMESPACES: the comma-joined watchNamespaces, or
JOSDK_ALL_NAMESPACES (Java Operator SDK's "watch all namespaces") when empty.
*/}}
{{- define "modelpilot.watchNamespaces" -}}
{{- if .Values.watchNamespaces }}
{{- join "," .Values.watchNamespaces }}
{{- else }}
{{- print "JOSDK_ALL_NAMESPACES" }}
{{- end }}
{{- end }}

{{/*
RBAC rules of the operator, shared by the cluster-wide ClusterRole and the
per-namespace Roles so they can never diverge. Least privilege: exactly the
verbs the operator uses, one entry per API group/resource set, no wildcards.
*/}}
{{- define "modelpilot.rules" -}}
{{- /* Exactly what the operator does; ModelDeploymentOperatorTest checks it against every request it makes. */}}
- apiGroups: ["modelpilot.io"]
  resources: ["modeldeployments"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["modelpilot.io"]
  resources: ["modeldeployments/status"]
  verbs: ["patch"]
- apiGroups: ["modelpilot.io"]
  resources: ["tuningjobs"]
  verbs: ["list", "watch"]
- apiGroups: ["modelpilot.io"]
  resources: ["tuningjobs/status"]
  verbs: ["patch"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list"]
- apiGroups: [""]
  resources: ["pods/log"]
  verbs: ["get"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: ["monitoring.coreos.com"]
  resources: ["servicemonitors"]
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["list", "watch", "create", "patch", "delete"]
{{- end }}

{{- define "modelpilot.crdCheckRule" -}}
{{- /* The operator reads two CRDs: whether the Prometheus Operator's ServiceMonitor and Gateway API's HTTPRoute are installed. */}}
- apiGroups: ["apiextensions.k8s.io"]
  resources: ["customresourcedefinitions"]
  resourceNames: ["servicemonitors.monitoring.coreos.com", "httproutes.gateway.networking.k8s.io"]
  verbs: ["get"]
{{- end }}

{{- define "modelpilot.leaderElectionRules" -}}
{{- /* Exactly what leader election does; LeaderElectionTest checks it against every request it makes. */}}
- apiGroups: ["coordination.k8s.io"]
  resources: ["leases"]
  verbs: ["get", "create", "update", "patch"]
{{- end }}
