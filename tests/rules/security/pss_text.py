"""Pods, workload templates and Namespaces for the Pod Security rule tests: each rule's tests
build their cases from these and run the rule as the validator does."""

from __future__ import annotations

from rule_check import check

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.rules import Bundle, Rule

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: todo
  annotations: {annotations}
spec:
{spec}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: d, namespace: todo}}
spec:
  selector: {{matchLabels: {{app: d}}}}
  template:
    metadata:
      labels: {{app: d}}
      annotations: {annotations}
    spec:
{spec}
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {{name: c, namespace: todo}}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {annotations}
        spec:
          restartPolicy: Never
{spec}
"""

NAMESPACE = """\
---
apiVersion: v1
kind: Namespace
metadata:
  name: todo
  labels: {{{labels}}}
"""

DAPR = '{dapr.io/enabled: "true", dapr.io/app-id: todo}'
ENABLED = "/spec/template/metadata/annotations/dapr.io~1enabled"


def indent(text: str, by: int) -> str:
    return "\n".join(" " * by + line for line in text.strip("\n").splitlines())


def pod(spec: str, annotations: str = "{}") -> str:
    return POD.format(annotations=annotations, spec=indent(spec, 2))


def deployment(spec: str, annotations: str = "{}") -> str:
    return DEPLOYMENT.format(annotations=annotations, spec=indent(spec, 6))


def cronjob(spec: str, annotations: str = "{}") -> str:
    return CRONJOB.format(annotations=annotations, spec=indent(spec, 10))


def namespace(labels: str) -> str:
    return NAMESPACE.format(labels=labels)


def run_rule(rule: Rule, text: str, context: RunContext | None = None) -> list[Finding]:
    """``rule`` over ``text`` as the validator runs it, with ``context``'s settings."""
    if context is None:
        return check(rule, text)
    resources = load_text(text, "test.yaml").resources
    bundle = Bundle(resources, context)
    return [f for r in resources if rule.applies_to(r) for f in rule.check(r, bundle)]


def found_by(
    rule: Rule, text: str, context: RunContext | None = None
) -> list[tuple[str, Severity, str]]:
    """(rule, severity, path) of each finding."""
    return [(f.rule, f.severity, f.path) for f in run_rule(rule, text, context)]
