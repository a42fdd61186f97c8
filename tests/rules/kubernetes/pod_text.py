"""Pod and workload manifests for the pod rules' tests."""

from __future__ import annotations

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: todo}
spec:
  restartPolicy: Never
  volumes:
    - {name: tmp, emptyDir: {}}
  containers:
    - name: check
      image: docker.io/curlimages/curl:8.11.1
      ports:
        - {name: http, containerPort: 8080, protocol: TCP}
      env:
        - {name: TIMEOUT_SECONDS, value: "120"}
      volumeMounts:
        - {name: tmp, mountPath: /tmp}
      resources:
        requests: {cpu: 10m, memory: 16Mi}
        limits: {cpu: 100m, memory: 64Mi}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: todo}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers:
        - {name: app, image: "nginx:1.27"}
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: c, namespace: todo}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - {name: job, image: busybox}
"""
