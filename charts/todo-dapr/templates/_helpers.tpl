{{/*
Helpers of the todo-dapr chart. Every helper is namespaced "todo-dapr.".
*/}}

{{- define "todo-dapr.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo-dapr.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Standard labels, then commonLabels. A commonLabels key the chart sets itself fails the render:
one key twice is invalid YAML, and a silent override could break selectors.
app.kubernetes.io/version is the Dapr release the values target (daprVersion), not the chart's
appVersion: a release rendered for a 1.16 cluster says 1.16.
Pass (dict "ctx" $ "component" "<name>").
*/}}
{{- define "todo-dapr.labels" -}}
{{- $ctx := .ctx -}}
{{- $labels := dict
  "helm.sh/chart" (include "todo-dapr.chart" $ctx)
  "app.kubernetes.io/name" (include "todo-dapr.name" $ctx)
  "app.kubernetes.io/instance" $ctx.Release.Name
  "app.kubernetes.io/version" (toString ($ctx.Values.daprVersion | default $ctx.Chart.AppVersion))
  "app.kubernetes.io/managed-by" $ctx.Release.Service
  "app.kubernetes.io/part-of" $ctx.Values.partOf
-}}
{{- with .component }}{{ $_ := set $labels "app.kubernetes.io/component" . }}{{ end -}}
{{- $common := $ctx.Values.commonLabels | default dict -}}
{{- range $key := keys $common | sortAlpha -}}
{{- if hasKey $labels $key -}}
{{- fail (printf "commonLabels.%s: the chart sets this label itself; remove it from commonLabels" $key) -}}
{{- end -}}
{{- end -}}
{{- range $key := concat (keys $labels) (keys $common) | sortAlpha }}
{{ $key | quote }}: {{ hasKey $labels $key | ternary (get $labels $key) (get $common $key) | toString | quote }}
{{- end -}}
{{- end -}}

{{/*
An annotations block: the resource's own annotations and commonAnnotations. A key in both fails
the render. Pass (dict "ctx" $ "own" <dict or nil>). Renders nothing when both are empty.
*/}}
{{- define "todo-dapr.annotations" -}}
{{- $own := .own | default dict -}}
{{- $common := .ctx.Values.commonAnnotations | default dict -}}
{{- range $key := keys $common | sortAlpha -}}
{{- if hasKey $own $key -}}
{{- fail (printf "commonAnnotations.%s: the chart sets this annotation itself; remove it from commonAnnotations" $key) -}}
{{- end -}}
{{- end -}}
{{- if or $own $common }}
annotations:
{{- range $key := concat (keys $own) (keys $common) | sortAlpha }}
  {{ $key | quote }}: {{ hasKey $own $key | ternary (get $own $key) (get $common $key) | toString | quote }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
metadata block of a namespaced resource.
Pass (dict "ctx" $ "name" "<name>" "component" "<c>"), optionally "annotations" <dict>.
*/}}
{{- define "todo-dapr.metadata" -}}
metadata:
  name: {{ .name | quote }}
  namespace: {{ .ctx.Release.Namespace | quote }}
  labels:
    {{- include "todo-dapr.labels" (dict "ctx" .ctx "component" .component) | trim | nindent 4 }}
  {{- with include "todo-dapr.annotations" (dict "ctx" .ctx "own" .annotations) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/* True when an app entry is enabled (enabled defaults to true). */}}
{{- define "todo-dapr.appEnabled" -}}
{{- if or (not (hasKey . "enabled")) .enabled -}}true{{- end -}}
{{- end -}}

{{/*
The derived model, as JSON: which apps load which component, topic scopes, allowed topics,
dead-letter topics and the Secrets each app may read. Templates read it with
  $m := include "todo-dapr.model" . | fromJson
Cross-references that the schema cannot express fail the render here, with the values path.
*/}}
{{- define "todo-dapr.model" -}}
{{- $v := .Values -}}
{{- $topics := dict -}}
{{- range $v.pubsub.topics }}{{ $_ := set $topics . true }}{{ end -}}
{{- /* Dead-letter topics: pubsub.deadLetterTopics and every subscription's deadLetterTopic. */ -}}
{{- $dlq := dict -}}
{{- range $i, $t := $v.pubsub.deadLetterTopics -}}
{{- if hasKey $topics $t -}}
{{- fail (printf "pubsub.deadLetterTopics[%d]: %q is also a regular topic in pubsub.topics; a dead-letter topic must be dedicated" $i $t) -}}
{{- end -}}
{{- $_ := set $dlq $t true -}}
{{- end -}}
{{- range $i, $s := $v.subscriptions -}}
{{- with $s.deadLetterTopic -}}
{{- if hasKey $topics . -}}
{{- fail (printf "subscriptions[%d].deadLetterTopic: %q is also a regular topic in pubsub.topics; use a dedicated dead-letter topic" $i .) -}}
{{- end -}}
{{- if eq . $s.topic -}}
{{- fail (printf "subscriptions[%d].deadLetterTopic: %q is the subscription's own topic; a failing message would come straight back" $i .) -}}
{{- end -}}
{{- $_ := set $dlq . true -}}
{{- end -}}
{{- end -}}
{{- $enabled := dict -}}
{{- $pubsubApps := dict -}}
{{- $publishing := dict -}}
{{- $subscribing := dict -}}
{{- $stateApps := dict -}}
{{- $secretApps := dict -}}
{{- $schedulerApps := dict -}}
{{- $appSecrets := dict -}}
{{- range $id, $app := $v.apps -}}
{{- if include "todo-dapr.appEnabled" $app -}}
{{- $_ := set $enabled $id true -}}
{{- $pub := dict -}}
{{- $sub := dict -}}
{{- range $app.publishes -}}
{{- if not (hasKey $topics .) -}}
{{- fail (printf "apps.%s.publishes: topic %q is not in pubsub.topics %v; add it there or remove it here" $id . $v.pubsub.topics) -}}
{{- end -}}
{{- $_ := set $pub . true -}}
{{- end -}}
{{- range $app.subscribes -}}
{{- if not (or (hasKey $topics .) (hasKey $dlq .)) -}}
{{- fail (printf "apps.%s.subscribes: topic %q is neither in pubsub.topics %v nor a dead-letter topic; add it to pubsub.topics or pubsub.deadLetterTopics" $id . $v.pubsub.topics) -}}
{{- end -}}
{{- $_ := set $sub . true -}}
{{- end -}}
{{- if or $app.publishes $app.subscribes -}}{{- $_ := set $pubsubApps $id true -}}{{- end -}}
{{- $_ := set $publishing $id $pub -}}
{{- $_ := set $subscribing $id $sub -}}
{{- if $app.stateStore -}}{{- $_ := set $stateApps $id true -}}{{- end -}}
{{- if $app.secretStore -}}{{- $_ := set $secretApps $id true -}}{{- end -}}
{{- if $app.scheduler -}}{{- $_ := set $schedulerApps $id true -}}{{- end -}}
{{- if $app.secrets -}}
{{- if not $v.secretStore.enabled -}}
{{- fail (printf "apps.%s.secrets: the app reads Secrets through the secret store, but secretStore.enabled is false" $id) -}}
{{- end -}}
{{- if not $app.secretStore -}}
{{- fail (printf "apps.%s.secrets: the app reads Secrets through the secret store; set apps.%s.secretStore: true so that it loads the store" $id $id) -}}
{{- end -}}
{{- $_ := set $appSecrets $id ($app.secrets | uniq | sortAlpha) -}}
{{- else -}}
{{- $_ := set $appSecrets $id (list) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $subNames := dict -}}
{{- /* Per "<topic> <app>": the index of the first subscription delivering that topic to that app. */ -}}
{{- $delivered := dict -}}
{{- range $i, $s := $v.subscriptions -}}
{{- if hasKey $subNames $s.name -}}
{{- fail (printf "subscriptions[%d].name: %q is used twice; subscription names must be unique" $i $s.name) -}}
{{- end -}}
{{- $_ := set $subNames $s.name true -}}
{{- if not $v.pubsub.enabled -}}
{{- fail (printf "subscriptions[%d] (%s): pubsub.enabled is false, so no app could receive it; enable the pub/sub or set subscriptions: []" $i $s.name) -}}
{{- end -}}
{{- if not (or (hasKey $topics $s.topic) (hasKey $dlq $s.topic)) -}}
{{- fail (printf "subscriptions[%d].topic: %q is neither in pubsub.topics %v nor a dead-letter topic; add it to pubsub.topics or pubsub.deadLetterTopics" $i $s.topic $v.pubsub.topics) -}}
{{- end -}}
{{- range $app := $s.scopes -}}
{{- if not (hasKey $enabled $app) -}}
{{- fail (printf "subscriptions[%d].scopes: app %q is not an enabled app in apps; add apps.%s or remove it from the scopes" $i $app $app) -}}
{{- end -}}
{{- $key := printf "%s %s" $s.topic $app -}}
{{- if hasKey $delivered $key -}}
{{- $first := get $delivered $key | int -}}
{{- fail (printf "subscriptions[%d].scopes: app %q already receives topic %q from subscriptions[%d] (%s); a sidecar keeps one subscription per pub/sub and topic, the first, and ignores the rest. Merge the two into one subscription with routes.rules, or remove %q from one of the scopes" $i $app $s.topic $first (index $v.subscriptions $first).name $app) -}}
{{- end -}}
{{- $_ := set $delivered $key $i -}}
{{- $_ := set $pubsubApps $app true -}}
{{- $_ := set (get $subscribing $app) $s.topic true -}}
{{- if $s.deadLetterTopic -}}
{{- /* The subscriber's sidecar publishes the dead letters itself. */ -}}
{{- $_ := set (get $publishing $app) $s.deadLetterTopic true -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $testApp := "" -}}
{{- if $v.tests.enabled -}}
{{- $testApp = $v.tests.appId -}}
{{- if hasKey $v.apps $testApp -}}
{{- fail (printf "tests.appId: %q is also an app in apps; the test pod needs an app ID of its own" $testApp) -}}
{{- end -}}
{{- /* The test loads the pub/sub and the state store (no topic, no secret store) to check that they start. */ -}}
{{- if $v.pubsub.enabled -}}
{{- $_ := set $pubsubApps $testApp true -}}
{{- $_ := set $publishing $testApp (dict) -}}
{{- $_ := set $subscribing $testApp (dict) -}}
{{- end -}}
{{- if $v.stateStore.enabled -}}{{- $_ := set $stateApps $testApp true -}}{{- end -}}
{{- end -}}
{{- $pubOut := dict -}}
{{- $subOut := dict -}}
{{- range $id := keys $pubsubApps -}}
{{- $_ := set $pubOut $id (keys (get $publishing $id) | sortAlpha) -}}
{{- $_ := set $subOut $id (keys (get $subscribing $id) | sortAlpha) -}}
{{- end -}}
{{- $allowed := merge (dict) $topics $dlq -}}
{{- $model := dict
  "enabledApps" (keys $enabled | sortAlpha)
  "pubsubApps" (keys $pubsubApps | sortAlpha)
  "publishing" $pubOut
  "subscribing" $subOut
  "allowedTopics" (keys $allowed | sortAlpha)
  "deadLetterTopics" (keys $dlq | sortAlpha)
  "stateApps" (keys $stateApps | sortAlpha)
  "secretApps" (keys $secretApps | sortAlpha)
  "schedulerApps" (keys $schedulerApps | sortAlpha)
  "appSecrets" $appSecrets
  "testApp" $testApp
-}}
{{- toJson $model -}}
{{- end -}}

{{/* "app1=t1,t2;app2=" from a map of app -> topics. */}}
{{- define "todo-dapr.topicScopes" -}}
{{- $parts := list -}}
{{- range $app, $topics := . -}}
{{- $parts = append $parts (printf "%s=%s" $app (join "," $topics)) -}}
{{- end -}}
{{- join ";" $parts -}}
{{- end -}}

{{/*
Metadata names of the chart's components that older Dapr releases do not read, with the release
that added each (lower-cased name: release). Mirrors the "metadata" entries of
tools/data/releases.json for pubsub/kafka and state/postgresql (tests compare the two).
*/}}
{{- define "todo-dapr.metadataSince" -}}
pubsub.kafka:
  dialtimeout: "1.18"
  metadatatimeout: "1.18"
  oidcaudience: "1.17"
  oidcclientassertioncert: "1.17"
  oidcclientassertionkey: "1.17"
  oidckid: "1.17"
  oidcresource: "1.17"
  producerrequiredacks: "1.18"
  producerretrymax: "1.18"
  readtimeout: "1.18"
  writetimeout: "1.18"
state.postgresql:
  assumerolesessionname: "1.17"
  endpoint: "1.17"
{{- end -}}

{{/*
Metadata entries added through values, after checking that none repeats a field the chart sets
and, with "since" (name: release, from todo-dapr.metadataSince) and "release" (daprVersion), that
the Dapr release reads each name.
Pass (dict "items" <list> "reserved" <list of names> "path" "<values path>" ["since" <dict>
"release" <X.Y>]).
*/}}
{{- define "todo-dapr.extraMetadata" -}}
{{- $seen := dict -}}
{{- range .reserved }}{{ $_ := set $seen (lower .) . }}{{ end -}}
{{- $path := .path -}}
{{- $since := .since | default dict -}}
{{- $release := .release | default "1.18" -}}
{{- range $i, $item := .items -}}
{{- if hasKey $seen (lower $item.name) -}}
{{- fail (printf "%s[%d].name: %q repeats metadata field %q that the chart already sets (Dapr refuses duplicate names, case-insensitively); use the dedicated value instead" $path $i $item.name (get $seen (lower $item.name))) -}}
{{- end -}}
{{- $added := get $since (lower $item.name) -}}
{{- if and $added (semverCompare (printf "<%s.0" $added) (printf "%s.0" $release)) -}}
{{- fail (printf "%s[%d].name: %q was added in Dapr %s; daprd %s (daprVersion) ignores it silently. Remove it, or set daprVersion to the release the cluster runs" $path $i $item.name $added $release) -}}
{{- end -}}
{{- $_ := set $seen (lower $item.name) $item.name }}
- name: {{ $item.name | quote }}
{{- if hasKey $item "secretKeyRef" }}
  secretKeyRef:
    name: {{ $item.secretKeyRef.name | quote }}
    key: {{ $item.secretKeyRef.key | quote }}
{{- else }}
  value: {{ $item.value | quote }}
{{- end }}
{{- end -}}
{{- end -}}

{{/*
gRPC APIs (the name.version keys of daprd's endpoint table, pkg/api/grpc/endpoints.go) that older
Dapr releases do not have, with the release that added each. Mirrors GRPC_SINCE of
tools/rules/dapr/api_access.py (tests compare the two).
*/}}
{{- define "todo-dapr.grpcApiSince" -}}
actors.v1alpha1: "1.18"
jobs.v1: "1.18"
{{- end -}}

{{/*
Refuse an API rule that names a gRPC API the chosen Dapr release does not have: its gRPC server
matches no method for it, so an allow-list would not allow and a deny-list would not deny it.
Pass (dict "items" <list of {name, version, protocol}> "path" "<values path>" "release" <X.Y>).
*/}}
{{- define "todo-dapr.apiRulesForRelease" -}}
{{- $since := include "todo-dapr.grpcApiSince" . | fromYaml -}}
{{- $path := .path -}}
{{- $release := .release | default "1.18" -}}
{{- range $i, $rule := .items -}}
{{- $added := get $since (printf "%v.%v" $rule.name $rule.version) -}}
{{- if and (eq (toString $rule.protocol) "grpc") $added (semverCompare (printf "<%s.0" $added) (printf "%s.0" $release)) -}}
{{- fail (printf "%s[%d]: gRPC API %q version %q was added in Dapr %s; daprd %s (daprVersion) has no such API, so this rule matches no method. Remove it, or set daprVersion to the release the cluster runs" $path $i (toString $rule.name) (toString $rule.version) $added $release) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* A list of app IDs as a YAML list, or fail when it is empty (an empty list means "all apps"). */}}
{{- define "todo-dapr.scopes" -}}
{{- if not .apps -}}
{{- fail (printf "%s: no enabled app uses it, and an empty scopes list would expose it to every app in the namespace; set %s or disable it" .what .hint) -}}
{{- end -}}
scopes:
{{- range .apps }}
  - {{ . | quote }}
{{- end }}
{{- end -}}

{{/* NetworkPolicy peers for a values peer; pass (dict "peer" <peer> "path" "<values path>"). */}}
{{- define "todo-dapr.peers" -}}
{{- if not (or .peer.cidrs .peer.namespaces) -}}
{{- fail (printf "%s: give cidrs or namespaces; a rule without either would allow every destination" .path) -}}
{{- end -}}
{{- range .peer.cidrs }}
- ipBlock:
    cidr: {{ . | quote }}
{{- end }}
{{- range .peer.namespaces }}
- namespaceSelector:
    matchLabels:
      kubernetes.io/metadata.name: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* NetworkPolicy TCP ports. */}}
{{- define "todo-dapr.tcpPorts" -}}
{{- range . }}
- protocol: TCP
  port: {{ . | int }}
{{- end }}
{{- end -}}

{{/*
Refuse a cron range that runs backwards (5-3, FRI-MON): the values schema checks every value of
a schedule but cannot compare the two ends of a range, and Dapr's cron parser refuses it.
Pass (dict "schedule" <string> "path" "<values path>").
*/}}
{{- define "todo-dapr.cronRanges" -}}
{{- $numbers := dict "jan" 1 "feb" 2 "mar" 3 "apr" 4 "may" 5 "jun" 6 "jul" 7 "aug" 8 "sep" 9 "oct" 10 "nov" 11 "dec" 12 "sun" 0 "mon" 1 "tue" 2 "wed" 3 "thu" 4 "fri" 5 "sat" 6 -}}
{{- if not (hasPrefix "@" .schedule) -}}
{{- range $field := splitList " " .schedule -}}
{{- range $part := splitList "," $field -}}
{{- $ends := splitList "-" (first (splitList "/" $part)) -}}
{{- if eq (len $ends) 2 -}}
{{- $low := index $ends 0 | lower -}}
{{- $high := index $ends 1 | lower -}}
{{- /* atoi reads decimal; int would read a leading 0 as octal ("08" -> 0). */ -}}
{{- $lowValue := ternary (get $numbers $low | toString) $low (hasKey $numbers $low) | atoi -}}
{{- $highValue := ternary (get $numbers $high | toString) $high (hasKey $numbers $high) | atoi -}}
{{- if gt $lowValue $highValue -}}
{{- fail (printf "%s: the range %q in %q runs backwards (%d > %d), which Dapr's cron parser refuses; write the lower bound first" $.path (first (splitList "/" $part)) $.schedule $lowValue $highValue) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
The spec of one app's Configuration: the shared tracing, metrics and logging, secret scopes that
deny every store but allow the app's own Secrets, and optional access control and API lists.
Pass (dict "ctx" $ "tracing" bool "secrets" <list> "allowed" <list> "denied" <list>
"accessControl" <dict or nil> "accessControlPath" "<values path of accessControl>").
*/}}
{{- define "todo-dapr.configurationSpec" -}}
{{- $c := .ctx.Values.configuration -}}
{{- if and .tracing $c.tracing.enabled }}
tracing:
  samplingRate: {{ $c.tracing.samplingRate | quote }}
  {{- if eq $c.tracing.exporter "otel" }}
  otel:
    endpointAddress: {{ $c.tracing.otel.endpointAddress | quote }}
    isSecure: {{ $c.tracing.otel.isSecure }}
    protocol: {{ $c.tracing.otel.protocol | quote }}
  {{- else if eq $c.tracing.exporter "zipkin" }}
  zipkin:
    endpointAddress: {{ $c.tracing.zipkin.endpointAddress | quote }}
  {{- else }}
  stdout: true
  {{- end }}
{{- end }}
metric:
  enabled: {{ $c.metrics.enabled }}
logging:
  apiLogging:
    enabled: {{ $c.apiLogging.enabled }}
    obfuscateURLs: {{ $c.apiLogging.obfuscateURLs }}
    omitHealthChecks: {{ $c.apiLogging.omitHealthChecks }}
{{- /* daprd applies feature entries in order and the last entry of a name wins: one entry per name. */ -}}
{{- with $c.features }}
{{- $seen := dict }}
{{- range $i, $f := . }}
{{- if hasKey $seen $f.name }}
{{- fail (printf "configuration.features[%d].name: %q is already configuration.features[%d]; daprd would keep only the last entry of a feature. Remove one" $i $f.name (get $seen $f.name | int)) }}
{{- end }}
{{- $_ := set $seen $f.name $i }}
{{- end }}
features:
  {{- range . }}
  - name: {{ .name | quote }}
    enabled: {{ .enabled }}
  {{- end }}
{{- end }}
secrets:
  scopes:
    # Dapr's built-in store, loaded in every sidecar: nothing is readable through it.
    - storeName: "kubernetes"
      defaultAccess: "deny"
    {{- if .ctx.Values.secretStore.enabled }}
    # The chart's store: only the Secrets this app declares (apps.<id>.secrets).
    - storeName: {{ .ctx.Values.secretStore.name | quote }}
      defaultAccess: "deny"
      {{- with .secrets }}
      allowedSecrets:
        {{- range . }}
        - {{ . | quote }}
        {{- end }}
      {{- end }}
    {{- end }}
{{- $acPath := .accessControlPath | default "configuration.accessControl" -}}
{{- with .accessControl }}
{{- if .enabled }}
{{- $ac := . }}
{{- /* daprd keeps the last policy of an (appId, namespace) pair and silently drops the others. */ -}}
{{- $callers := dict -}}
{{- range $i, $p := .policies -}}
{{- $key := printf "%s %s" $p.appId $p.namespace -}}
{{- if hasKey $callers $key -}}
{{- fail (printf "%s.policies[%d]: app %q in namespace %q already has a policy, %s.policies[%d]; daprd keeps only the last policy of a caller and ignores the other. Merge the two" $acPath $i $p.appId $p.namespace $acPath (get $callers $key | int)) -}}
{{- end -}}
{{- $_ := set $callers $key $i -}}
{{- end }}
accessControl:
  defaultAction: {{ .defaultAction | quote }}
  trustDomain: {{ .trustDomain | quote }}
  {{- with .policies }}
  policies:
    {{- range . }}
    - appId: {{ .appId | quote }}
      defaultAction: {{ .defaultAction | quote }}
      namespace: {{ .namespace | quote }}
      {{- /* daprd refuses the whole access control spec (the sidecar exits) for a policy
      without a trust domain: without its own, a policy takes the section's. */}}
      trustDomain: {{ .trustDomain | default $ac.trustDomain | quote }}
      {{- with .operations }}
      operations:
        {{- range . }}
        - name: {{ .name | quote }}
          action: {{ .action | quote }}
          {{- with .httpVerb }}
          httpVerb:
            {{- range . }}
            - {{ . | quote }}
            {{- end }}
          {{- end }}
        {{- end }}
      {{- end }}
    {{- end }}
  {{- end }}
{{- end }}
{{- end }}
{{- if or .allowed .denied }}
api:
  {{- range $field := list "allowed" "denied" }}
  {{- with include "todo-dapr.apiRules" (get $ $field) | trim }}
  {{ $field }}:
    {{- . | nindent 4 }}
  {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* API access rules, each {name, version, protocol} once, in a stable order. */}}
{{- define "todo-dapr.apiRules" -}}
{{- $seen := dict -}}
{{- range . -}}
{{- $key := printf "%s/%s/%s" .protocol .version .name -}}
{{- if not (hasKey $seen $key) -}}
{{- $_ := set $seen $key . -}}
{{- end -}}
{{- end -}}
{{- range $key := keys $seen | sortAlpha }}
{{- $r := get $seen $key }}
- name: {{ $r.name | quote }}
  version: {{ $r.version | quote }}
  protocol: {{ $r.protocol | quote }}
{{- end -}}
{{- end -}}

{{/*
The state query API (POST /v1.0-alpha1/state/<store>/query, gRPC QueryStateAlpha1): Dapr names it
"state" version "v1alpha1", and a rule applies to one protocol only, so both are listed.
*/}}
{{- define "todo-dapr.stateQueryRules" -}}
{{- toJson (list (dict "name" "state" "version" "v1alpha1" "protocol" "http") (dict "name" "state" "version" "v1alpha1" "protocol" "grpc")) -}}
{{- end -}}

{{/*
The spec of one NetworkPolicy for the pods of one app ID.
Pass (dict "ctx" $ "app" "<id>" "pubsub" bool "state" bool "apiServer" bool "tracing" bool
"serveInvocation" bool "extraIngress" <list> "extraEgress" <list>).
*/}}
{{- define "todo-dapr.networkPolicySpec" -}}
{{- $n := .ctx.Values.networkPolicy -}}
{{- $tracing := .ctx.Values.configuration.tracing -}}
podSelector:
  # The app's pods, by the label the Dapr sidecar injector sets.
  matchLabels:
    dapr.io/app-id: {{ .app | quote }}
policyTypes:
  - Ingress
  - Egress
{{- if or .serveInvocation .extraIngress }}
ingress:
  {{- if .serveInvocation }}
  # Service invocation from other Dapr sidecars in this namespace (dapr-internal, mTLS).
  - from:
      - podSelector:
          matchLabels:
            dapr.io/sidecar-injected: "true"
    ports:
      - protocol: TCP
        port: 50002
  {{- with $n.metrics.namespace }}
  # Prometheus scraping the sidecar's metrics.
  - from:
      - namespaceSelector:
          matchLabels:
            kubernetes.io/metadata.name: {{ . | quote }}
    ports:
      - protocol: TCP
        port: {{ $n.metrics.port | int }}
  {{- end }}
  {{- end }}
  {{- with .extraIngress }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
egress:
  # DNS.
  - to:
      - namespaceSelector:
          matchLabels:
            kubernetes.io/metadata.name: {{ $n.dns.namespace | quote }}
        podSelector:
          matchLabels:
            {{- range $k, $v := $n.dns.podLabels }}
            {{ $k | quote }}: {{ $v | quote }}
            {{- end }}
    ports:
      - protocol: UDP
        port: 53
      - protocol: TCP
        port: 53
  # Dapr control plane: sentry 50001, operator 6500, placement 50005, scheduler 50006.
  - to:
      - namespaceSelector:
          matchLabels:
            kubernetes.io/metadata.name: {{ $n.controlPlaneNamespace | quote }}
    ports:
      - protocol: TCP
        port: 50001
      - protocol: TCP
        port: 6500
      - protocol: TCP
        port: 50005
      - protocol: TCP
        port: 50006
  {{- if .serveInvocation }}
  # Service invocation to other Dapr sidecars in this namespace.
  - to:
      - podSelector:
          matchLabels:
            dapr.io/sidecar-injected: "true"
    ports:
      - protocol: TCP
        port: 50002
  {{- end }}
  {{- if .pubsub }}
  # Kafka brokers: the app loads the pub/sub.
  - to:
      {{- include "todo-dapr.peers" (dict "peer" $n.kafka "path" "networkPolicy.kafka") | trim | nindent 6 }}
    ports:
      {{- include "todo-dapr.tcpPorts" $n.kafka.ports | trim | nindent 6 }}
  {{- end }}
  {{- if .state }}
  # PostgreSQL: the app loads the state store.
  - to:
      {{- include "todo-dapr.peers" (dict "peer" $n.postgres "path" "networkPolicy.postgres") | trim | nindent 6 }}
    ports:
      {{- include "todo-dapr.tcpPorts" $n.postgres.ports | trim | nindent 6 }}
  {{- end }}
  {{- if .apiServer }}
  # Kubernetes API server: the app loads the secret store.
  - to:
      {{- include "todo-dapr.peers" (dict "peer" $n.apiServer "path" "networkPolicy.apiServer") | trim | nindent 6 }}
    ports:
      {{- include "todo-dapr.tcpPorts" $n.apiServer.ports | trim | nindent 6 }}
  {{- end }}
  {{- if .tracing }}
  {{- with include "todo-dapr.tracingEgress" .ctx }}
  {{- . | nindent 2 }}
  {{- end }}
  {{- end }}
  {{- with .extraEgress }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/*
Egress to the trace collector, from configuration.tracing: the port of the exporter's endpoint
and, unless networkPolicy.tracing names peers, the namespace of an in-cluster Service host
(<service>.<namespace>.svc...).
*/}}
{{- define "todo-dapr.tracingEgress" -}}
{{- $t := .Values.configuration.tracing -}}
{{- $peer := .Values.networkPolicy.tracing -}}
{{- if and .Values.configuration.enabled $t.enabled (ne $t.exporter "stdout") -}}
{{- $host := "" -}}
{{- $port := 0 -}}
{{- if eq $t.exporter "otel" -}}
{{- $parts := regexSplit ":" $t.otel.endpointAddress -1 -}}
{{- $host = first $parts -}}
{{- $port = last $parts | atoi -}}
{{- else -}}
{{- $address := regexReplaceAll "^https?://([^/]+).*$" $t.zipkin.endpointAddress "${1}" -}}
{{- $host = first (regexSplit ":" $address -1) -}}
{{- $port = ternary (last (regexSplit ":" $address -1) | atoi) (ternary 443 80 (hasPrefix "https:" $t.zipkin.endpointAddress)) (contains ":" $address) -}}
{{- end -}}
{{- $peers := $peer -}}
{{- if not (or $peer.cidrs $peer.namespaces) -}}
{{- if regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?\\.svc(\\.|$)" $host -}}
{{- $peers = dict "namespaces" (list (index (splitList "." $host) 1)) -}}
{{- else -}}
{{- fail (printf "networkPolicy.tracing: give cidrs or namespaces for the trace collector %q (only an in-cluster Service name <service>.<namespace>.svc tells the chart its namespace)" $host) -}}
{{- end -}}
{{- end }}
# Trace collector ({{ $t.exporter }}).
- to:
    {{- include "todo-dapr.peers" (dict "peer" $peers "path" "networkPolicy.tracing") | trim | nindent 4 }}
  ports:
    - protocol: TCP
      port: {{ $port }}
{{- end -}}
{{- end -}}

{{/* Name of the helm test's ServiceAccount, NetworkPolicy and Pod prefix. */}}
{{- define "todo-dapr.testName" -}}
{{- printf "%s-%s" (.Release.Name | trunc 30 | trimSuffix "-") .Values.tests.appId | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Name of the helm test's Configuration. */}}
{{- define "todo-dapr.testConfigName" -}}
{{- printf "%s-%s" .Values.configuration.name .Values.tests.appId -}}
{{- end -}}

{{/* The test image: [registry/]repository:tag[@digest]. */}}
{{- define "todo-dapr.testImage" -}}
{{- $i := .Values.tests.image -}}
{{- $ref := printf "%s:%s" $i.repository $i.tag -}}
{{- with $i.registry }}{{ $ref = printf "%s/%s" . $ref }}{{ end -}}
{{- with $i.digest }}{{ $ref = printf "%s@%s" $ref . }}{{ end -}}
{{- $ref -}}
{{- end -}}

{{/*
Refuse an endPort below its port in raw NetworkPolicy rules (the API server would refuse the
policy; the schema cannot compare two values). Pass (dict "rules" <list> "path" "<values path>").
*/}}
{{- define "todo-dapr.checkRulePorts" -}}
{{- $path := .path -}}
{{- range $i, $rule := .rules -}}
{{- range $j, $p := $rule.ports -}}
{{- if and (hasKey $p "endPort") (lt (int $p.endPort) (int $p.port)) -}}
{{- fail (printf "%s[%d].ports[%d].endPort: %d is below port %d; a port range must not run backwards" $path $i $j (int $p.endPort) (int $p.port)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
A resource quantity of values.schema.json ($defs/quantity: nine digits, or six and a suffix m, k,
M, G, Ki, Mi or Gi) in thousandths, exactly: at most 999999Gi, which fits an int64.
*/}}
{{- define "todo-dapr.milliQuantity" -}}
{{- $factors := dict "m" 1 "" 1000 "k" 1000000 "M" 1000000000 "G" 1000000000000 "Ki" 1024000 "Mi" 1048576000 "Gi" 1073741824000 -}}
{{- $number := regexFind "^[0-9]+" . -}}
{{- mul (atoi $number) (get $factors (trimPrefix $number .)) -}}
{{- end -}}

{{/*
Name of the ValidatingAdmissionPolicy and its binding. Both are cluster-scoped, so the name
carries the release namespace and name: two releases never share one. Dots separate them: a
namespace has none (a DNS label), so namespace a-b with release c and namespace a with release b-c
get different names. At most 63 + 53 + 19 characters, within the 253 of a DNS subdomain.
*/}}
{{- define "todo-dapr.admissionPolicyName" -}}
{{- printf "%s.%s.dapr-config-guard" .Release.Namespace .Release.Name -}}
{{- end -}}

{{/*
metadata block of a cluster-scoped resource (no namespace).
Pass (dict "ctx" $ "name" "<name>" "component" "<c>").
*/}}
{{- define "todo-dapr.clusterMetadata" -}}
metadata:
  name: {{ .name | quote }}
  labels:
    {{- include "todo-dapr.labels" (dict "ctx" .ctx "component" .component) | trim | nindent 4 }}
  {{- with include "todo-dapr.annotations" (dict "ctx" .ctx "own" .annotations) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
{{- end -}}

{{/*
Milliseconds (a float) of a Go duration the schema accepted ("1m30s", "500ms", "0").
*/}}
{{- define "todo-dapr.durationMs" -}}
{{- $units := dict "h" 3600000.0 "m" 60000.0 "s" 1000.0 "ms" 1.0 "us" 0.001 "ns" 0.000001 -}}
{{- $total := 0.0 -}}
{{- range regexFindAll "[0-9.]+(ns|us|ms|h|m|s)" (toString .) -1 -}}
{{- $number := regexFind "^[0-9.]+" . -}}
{{- $total = addf $total (mulf (float64 $number) (get $units (trimPrefix $number .))) -}}
{{- end -}}
{{- $total -}}
{{- end -}}

{{/*
Worst case, in milliseconds, of one delivery under an inbound pub/sub policy: every attempt
runs into the timeout, and every wait between attempts is the longest the retry policy allows.
dapr/kit retry: constant waits `duration`; exponential starts at 500ms, grows by 1.5, is capped
at maxInterval and randomised by +-50% (cenkalti/backoff defaults). Pass (dict "timeout" "<d>"
"retry" <retry values>).
*/}}
{{- define "todo-dapr.deliveryBudgetMs" -}}
{{- $retries := int .retry.maxRetries -}}
{{- $total := mulf (include "todo-dapr.durationMs" .timeout | float64) (add1 $retries) -}}
{{- if eq .retry.policy "constant" -}}
{{- $total = addf $total (mulf (include "todo-dapr.durationMs" .retry.duration | float64) $retries) -}}
{{- else -}}
{{- $cap := include "todo-dapr.durationMs" .retry.maxInterval | float64 -}}
{{- $interval := 500.0 -}}
{{- range until $retries -}}
{{- $total = addf $total (mulf (minf $interval $cap) 1.5) -}}
{{- $interval = mulf $interval 1.5 -}}
{{- end -}}
{{- end -}}
{{- $total -}}
{{- end -}}

{{/*
spec and scopes of a Resiliency. Pass (dict "ctx" $ "targets" <list> "inboundTimeout" "<d>"
"apps" <app IDs>). targets: (dict "key" "pubsub"|"statestore" "component" <name> "policy"
<resiliency.pubsub|stateStore> "inbound" <bool>).
*/}}
{{- define "todo-dapr.resiliencySpec" -}}
{{- $r := .ctx.Values.resiliency -}}
{{- $breakers := list -}}
{{- $inbound := false -}}
{{- range .targets -}}
{{- if .policy.circuitBreaker.enabled }}{{ $breakers = append $breakers . }}{{ end -}}
{{- if .inbound }}{{ $inbound = true }}{{ end -}}
{{- end -}}
spec:
  policies:
    timeouts:
      {{- range .targets }}
      {{ .key }}Timeout: {{ .policy.timeout | quote }}
      {{- end }}
      {{- if $inbound }}
      pubsubDeliveryTimeout: {{ .inboundTimeout | quote }}
      {{- end }}
    retries:
      {{- $retries := list }}
      {{- range .targets }}{{ $retries = append $retries (dict "name" (printf "%sRetry" .key) "retry" .policy.retry) }}{{ end }}
      {{- if $inbound }}{{ $retries = append $retries (dict "name" "pubsubDeliveryRetry" "retry" $r.inbound.retry) }}{{ end }}
      {{- range $retries }}
      {{ .name }}:
        policy: {{ .retry.policy | quote }}
        {{- if eq .retry.policy "constant" }}
        duration: {{ .retry.duration | quote }}
        {{- else }}
        maxInterval: {{ .retry.maxInterval | quote }}
        {{- end }}
        maxRetries: {{ .retry.maxRetries | int }}
      {{- end }}
    {{- with $breakers }}
    circuitBreakers:
      {{- range . }}
      {{ .key }}Breaker:
        maxRequests: {{ .policy.circuitBreaker.maxRequests | int }}
        interval: {{ .policy.circuitBreaker.interval | quote }}
        timeout: {{ .policy.circuitBreaker.timeout | quote }}
        trip: {{ .policy.circuitBreaker.trip | quote }}
      {{- end }}
    {{- end }}
  targets:
    components:
      {{- range .targets }}
      {{ .component | quote }}:
        outbound:
          timeout: {{ printf "%sTimeout" .key | quote }}
          retry: {{ printf "%sRetry" .key | quote }}
          {{- if .policy.circuitBreaker.enabled }}
          circuitBreaker: {{ printf "%sBreaker" .key | quote }}
          {{- end }}
        {{- if .inbound }}
        # Deliveries to the app: never a circuit breaker. Dapr keeps one breaker instance per
        # component name for both directions (pkg/resiliency/resiliency.go), and publishes dead
        # letters through the outbound policy: an open breaker would refuse both.
        inbound:
          timeout: "pubsubDeliveryTimeout"
          retry: "pubsubDeliveryRetry"
        {{- end }}
      {{- end }}
{{ include "todo-dapr.scopes" (dict "apps" .apps "what" "resiliency" "hint" "apps that use the pub/sub or the state store") }}
{{- end -}}
