{{/*
Helpers of the todo-dapr chart. Every helper is namespaced "todo-dapr.".
*/}}

{{- define "todo-dapr.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo-dapr.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Standard labels; pass (dict "ctx" $ "component" "<name>"). */}}
{{- define "todo-dapr.labels" -}}
{{- $ctx := .ctx -}}
helm.sh/chart: {{ include "todo-dapr.chart" $ctx | quote }}
app.kubernetes.io/name: {{ include "todo-dapr.name" $ctx | quote }}
app.kubernetes.io/instance: {{ $ctx.Release.Name | quote }}
app.kubernetes.io/version: {{ $ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $ctx.Release.Service | quote }}
app.kubernetes.io/part-of: {{ $ctx.Values.partOf | quote }}
{{- with .component }}
app.kubernetes.io/component: {{ . | quote }}
{{- end }}
{{- range $key, $value := $ctx.Values.commonLabels }}
{{ $key | quote }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* metadata block of a namespaced resource; pass (dict "ctx" $ "name" "<name>" "component" "<c>"). */}}
{{- define "todo-dapr.metadata" -}}
metadata:
  name: {{ .name | quote }}
  namespace: {{ .ctx.Release.Namespace | quote }}
  labels:
    {{- include "todo-dapr.labels" (dict "ctx" .ctx "component" .component) | nindent 4 }}
{{- end -}}

{{/* True when an app entry is enabled (enabled defaults to true). */}}
{{- define "todo-dapr.appEnabled" -}}
{{- if or (not (hasKey . "enabled")) .enabled -}}true{{- end -}}
{{- end -}}

{{/*
The derived model, as JSON: which apps load which component, topic scopes, allowed topics and
the Secret objects the components reference. Templates read it with
  $m := include "todo-dapr.model" . | fromJson
Cross-references that the schema cannot express fail the render here, with the values path.
*/}}
{{- define "todo-dapr.model" -}}
{{- $v := .Values -}}
{{- $topics := dict -}}
{{- range $v.pubsub.topics }}{{ $_ := set $topics . true }}{{ end -}}
{{- $enabled := dict -}}
{{- $pubsubApps := dict -}}
{{- $publishing := dict -}}
{{- $subscribing := dict -}}
{{- $stateApps := dict -}}
{{- $secretApps := dict -}}
{{- $schedulerApps := dict -}}
{{- $allowed := dict -}}
{{- range $v.pubsub.topics }}{{ $_ := set $allowed . true }}{{ end -}}
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
{{- if not (hasKey $topics .) -}}
{{- fail (printf "apps.%s.subscribes: topic %q is not in pubsub.topics %v; add it there or remove it here" $id . $v.pubsub.topics) -}}
{{- end -}}
{{- $_ := set $sub . true -}}
{{- end -}}
{{- if or $app.publishes $app.subscribes -}}{{- $_ := set $pubsubApps $id true -}}{{- end -}}
{{- $_ := set $publishing $id $pub -}}
{{- $_ := set $subscribing $id $sub -}}
{{- if $app.stateStore -}}{{- $_ := set $stateApps $id true -}}{{- end -}}
{{- if $app.secretStore -}}{{- $_ := set $secretApps $id true -}}{{- end -}}
{{- if $app.scheduler -}}{{- $_ := set $schedulerApps $id true -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- $subNames := dict -}}
{{- range $i, $s := $v.subscriptions -}}
{{- if hasKey $subNames $s.name -}}
{{- fail (printf "subscriptions[%d].name: %q is used twice; subscription names must be unique" $i $s.name) -}}
{{- end -}}
{{- $_ := set $subNames $s.name true -}}
{{- if not $v.pubsub.enabled -}}
{{- fail (printf "subscriptions[%d] (%s): pubsub.enabled is false, so no app could receive it; enable the pub/sub or set subscriptions: []" $i $s.name) -}}
{{- end -}}
{{- if not (hasKey $topics $s.topic) -}}
{{- fail (printf "subscriptions[%d].topic: %q is not in pubsub.topics %v; add it there" $i $s.topic $v.pubsub.topics) -}}
{{- end -}}
{{- if hasKey $topics $s.deadLetterTopic -}}
{{- fail (printf "subscriptions[%d].deadLetterTopic: %q is also a regular topic in pubsub.topics; use a dedicated dead-letter topic" $i $s.deadLetterTopic) -}}
{{- end -}}
{{- $_ := set $allowed $s.deadLetterTopic true -}}
{{- range $s.scopes -}}
{{- if not (hasKey $enabled .) -}}
{{- fail (printf "subscriptions[%d].scopes: app %q is not an enabled app in apps; add apps.%s or remove it from the scopes" $i . .) -}}
{{- end -}}
{{- $_ := set $pubsubApps . true -}}
{{- $_ := set (get $subscribing .) $s.topic true -}}
{{- $_ := set (get $publishing .) $s.deadLetterTopic true -}}
{{- end -}}
{{- end -}}
{{- if $v.tests.enabled -}}
{{- $t := $v.tests.appId -}}
{{- if hasKey $v.apps $t -}}
{{- fail (printf "tests.appId: %q is also an app in apps; the test pod needs an app ID of its own" $t) -}}
{{- end -}}
{{- $_ := set $pubsubApps $t true -}}
{{- $_ := set $publishing $t (dict) -}}
{{- $_ := set $subscribing $t (dict) -}}
{{- $_ := set $stateApps $t true -}}
{{- $_ := set $secretApps $t true -}}
{{- end -}}
{{- $pubOut := dict -}}
{{- $subOut := dict -}}
{{- range $id := keys $pubsubApps -}}
{{- $_ := set $pubOut $id (keys (get $publishing $id) | sortAlpha) -}}
{{- $_ := set $subOut $id (keys (get $subscribing $id) | sortAlpha) -}}
{{- end -}}
{{- $secrets := dict -}}
{{- if $v.pubsub.enabled -}}
{{- if eq $v.pubsub.kafka.auth.type "password" -}}
{{- $_ := set $secrets $v.pubsub.kafka.auth.username.name true -}}
{{- $_ := set $secrets $v.pubsub.kafka.auth.password.name true -}}
{{- end -}}
{{- range $v.pubsub.extraMetadata }}{{ if .secretKeyRef }}{{ $_ := set $secrets .secretKeyRef.name true }}{{ end }}{{ end -}}
{{- end -}}
{{- if $v.stateStore.enabled -}}
{{- $_ := set $secrets $v.stateStore.connectionString.name true -}}
{{- range $v.stateStore.extraMetadata }}{{ if .secretKeyRef }}{{ $_ := set $secrets .secretKeyRef.name true }}{{ end }}{{ end -}}
{{- end -}}
{{- if $v.scheduler.enabled -}}
{{- range $v.scheduler.extraMetadata }}{{ if .secretKeyRef }}{{ $_ := set $secrets .secretKeyRef.name true }}{{ end }}{{ end -}}
{{- end -}}
{{- if $v.secretStore.enabled -}}
{{- range $v.secretStore.extraMetadata }}{{ if .secretKeyRef }}{{ $_ := set $secrets .secretKeyRef.name true }}{{ end }}{{ end -}}
{{- end -}}
{{- $readable := deepCopy $secrets -}}
{{- range $v.secretStore.allowedSecrets }}{{ $_ := set $readable . true }}{{ end -}}
{{- $model := dict
  "enabledApps" (keys $enabled | sortAlpha)
  "pubsubApps" (keys $pubsubApps | sortAlpha)
  "publishing" $pubOut
  "subscribing" $subOut
  "allowedTopics" (keys $allowed | sortAlpha)
  "stateApps" (keys $stateApps | sortAlpha)
  "secretApps" (keys $secretApps | sortAlpha)
  "schedulerApps" (keys $schedulerApps | sortAlpha)
  "componentSecrets" (keys $secrets | sortAlpha)
  "readableSecrets" (keys $readable | sortAlpha)
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
Metadata entries added through values, after checking that none repeats a field the chart sets.
Pass (dict "items" <list> "reserved" <list of names> "path" "<values path>").
*/}}
{{- define "todo-dapr.extraMetadata" -}}
{{- $seen := dict -}}
{{- range .reserved }}{{ $_ := set $seen (lower .) . }}{{ end -}}
{{- $path := .path -}}
{{- range $i, $item := .items -}}
{{- if hasKey $seen (lower $item.name) -}}
{{- fail (printf "%s[%d].name: %q repeats metadata field %q that the chart already sets (Dapr refuses duplicate names, case-insensitively); use the dedicated value instead" $path $i $item.name (get $seen (lower $item.name))) -}}
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
