"""Docs-style placeholders (``<NAME>``, ``YOUR_API_KEY``, ``****``, ``"[key]"``) through the real
validation run: one info ``input-placeholder`` finding per resource, and no other finding about
a placeholder field; real secrets next to them are still reported; text that merely holds a
``<`` is not a placeholder."""

from __future__ import annotations

import pytest

from tools.core.findings import Finding, Severity
from tools.secrets.placeholders import find, is_docs_placeholder, may_appear, spans
from tools.validate import Source, validate

COMPONENT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: <REPLACE-WITH-HOST>
  - name: redisPassword
    value: "****"
  - name: enableTLS
    value: YOUR_API_KEY
  - name: keyPrefix
    value: "[key]"
  - name: redisUsername
    value: "{your-value}"
scopes: [orders]
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: <NAME>
  namespace: <NAMESPACE>
  labels:
    app: <NAME>
spec:
  replicas: 1
  selector:
    matchLabels:
      app: <NAME>
  template:
    metadata:
      labels:
        app: <NAME>
      annotations:
        dapr.io/enabled: "true"
        dapr.io/app-id: <NAME>
    spec:
      containers:
      - name: <NAME>
        image: <REGISTRY>/app:1.0
        env:
        - name: API_KEY
          value: YOUR_API_KEY
        - name: DB_PASSWORD
          value: "****"
"""

# A real, random-looking secret (not a known provider format).
REAL = "xK9mQ2vL7pR4tZ8wB3nH6jF1cY5dG0sA"


def _findings(*documents: str) -> list[Finding]:
    text = "---\n".join(documents)
    return validate([Source("docs.yaml", text)]).findings


def _of(findings: list[Finding], kind: str) -> list[Finding]:
    return [f for f in findings if f.resource is not None and f.resource.kind == kind]


def test_a_docs_style_component_gives_one_info_finding_and_nothing_else_about_its_values() -> None:
    findings = _of(_findings(COMPONENT), "Component")
    (placeholder,) = [f for f in findings if f.rule == "input-placeholder"]
    assert placeholder.severity is Severity.INFO
    assert placeholder.path == "/spec/metadata/0/value"
    assert placeholder.message.startswith("5 fields hold placeholders, not values: ")
    for fragment in (
        'spec.metadata[0].value ("redisHost") holds <REPLACE-WITH-HOST>',
        'spec.metadata[1].value ("redisPassword") holds ****',
        'spec.metadata[2].value ("enableTLS") holds YOUR_API_KEY',
        'spec.metadata[3].value ("keyPrefix") holds [key]',
        'spec.metadata[4].value ("redisUsername") holds {your-value}',
        "before applying",
    ):
        assert fragment in placeholder.message
    # No inline-secret alarm for ****, no boolean error for YOUR_API_KEY, no key-prefix warning.
    assert [f for f in findings if f.path.startswith("/spec/metadata/")] == [placeholder]
    assert not any(f.severity is Severity.ERROR for f in findings)


def test_a_deployment_named_name_gives_one_info_finding_and_no_cascade() -> None:
    findings = _of(_findings(DEPLOYMENT), "Deployment")
    (placeholder,) = [f for f in findings if f.rule == "input-placeholder"]
    assert placeholder.severity is Severity.INFO
    assert placeholder.path == "/metadata/name"
    assert placeholder.message.startswith("10 fields hold placeholders, not values: ")
    for fragment in (
        "metadata.name holds <NAME>",
        "metadata.namespace holds <NAMESPACE>",
        "spec.selector.matchLabels.app holds <NAME>",
        "spec.template.metadata.annotations[dapr.io/app-id] holds <NAME>",
        "spec.template.spec.containers[0].image holds <REGISTRY>",
        'spec.template.spec.containers[0].env[0].value ("API_KEY") holds YOUR_API_KEY',
    ):
        assert fragment in placeholder.message
    assert not any(f.severity is Severity.ERROR for f in findings)
    cascade = {"kubernetes-name", "kubernetes-labels", "kubernetes-namespace"}
    assert not [f for f in findings if f.rule in cascade or f.rule.startswith("kubernetes-pod")]
    assert not [f for f in findings if f.rule == "security-literal-credential"]


def test_exactly_one_placeholder_finding_per_resource() -> None:
    findings = _findings(COMPONENT, DEPLOYMENT)
    placeholders = [f for f in findings if f.rule == "input-placeholder"]
    assert sorted(f.resource.kind for f in placeholders if f.resource) == [
        "Component",
        "Deployment",
    ]
    assert not any(f.is_error for f in findings)


def test_a_real_secret_next_to_placeholders_is_still_reported() -> None:
    component = COMPONENT.replace(
        "  - name: keyPrefix\n",
        f"  - name: sentinelPassword\n    value: {REAL}\n  - name: keyPrefix\n",
    )
    findings = _findings(component)
    secrets = [f for f in findings if f.rule == "security-inline-secret"]
    assert [f.path for f in secrets] == ["/spec/metadata/3/value"]
    (placeholder,) = [f for f in findings if f.rule == "input-placeholder"]
    assert "sentinelPassword" not in placeholder.message


def test_a_real_secret_in_the_same_value_as_a_placeholder_is_still_reported() -> None:
    deployment = DEPLOYMENT.replace(
        'value: "****"', f'value: "postgres://app:{REAL}@<DB_HOST>:5432/orders"'
    )
    findings = _findings(deployment)
    credential = [f for f in findings if f.rule == "security-literal-credential"]
    assert [f.path for f in credential] == ["/spec/template/spec/containers/0/env/1/value"]
    assert REAL not in " ".join(f.message for f in findings)


def test_a_value_only_partly_a_placeholder_drops_format_findings() -> None:
    deployment = DEPLOYMENT.replace("name: <NAME>\n  namespace", "name: <NAME>-svc\n  namespace")
    findings = _findings(deployment)
    assert not [f for f in findings if f.rule == "kubernetes-name"]
    (placeholder,) = [f for f in findings if f.rule == "input-placeholder"]
    assert "metadata.name holds <NAME>" in placeholder.message


def test_other_fields_of_a_placeholder_resource_are_still_checked() -> None:
    component = COMPONENT.replace("scopes: [orders]\n", "")
    findings = _findings(component)
    assert [f.rule for f in findings if f.is_error] == ["security-missing-scopes"]


def test_a_placeholder_in_metadata_name_of_a_component_gives_no_name_error() -> None:
    component = COMPONENT.replace("name: statestore", "name: <COMPONENT_NAME>")
    findings = _findings(component)
    assert not [f for f in findings if f.rule == "kubernetes-name"]
    assert not any(f.is_error for f in findings)


CEL_POLICY = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: replica-limit
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "object.spec.replicas < 5 && object.spec.replicas > 0"
  - expression: "size(object.metadata.name)<64"
"""


def test_text_that_merely_holds_a_less_than_sign_is_not_a_placeholder() -> None:
    findings = _findings(CEL_POLICY)
    assert [f for f in findings if f.rule == "input-placeholder"] == []


NOT_PLACEHOLDERS = [
    "a < b",
    "a<b",
    "x<y && z>w",
    "object.spec.replicas < 5 && object.spec.replicas > 0",
    "List<String>",
    "my<pass>word",
    "<br/>",
    "<b>bold</b>",
    "https://example.com/orders?id=1&sort=asc",
    "redis://redis-master:6379",
    "/orders/{id}",
    "*/5 * * * *",
    "**/*.yaml",
    "{uuid}",
    "{podName}",
    "{namespace}",
    "{appID}",
    "${REDIS_PASSWORD}",
    "{{ .Values.host }}",
    "keeps your_data safe",
    "<>",
    "< NAME >",
    "yourself",
    "replacement",
    "line one\n<NAME>",
]


@pytest.mark.parametrize("text", NOT_PLACEHOLDERS)
def test_is_not_a_placeholder(text: str) -> None:
    assert not is_docs_placeholder(text)
    assert spans(text) == []


WHOLE = [
    "<NAME>",
    "<REPLACE-WITH-HOST>",
    "<your client secret>",
    "<Application (client) Id>",
    "****",
    "YOUR_API_KEY",
    "YOUR-KEY",
    "REPLACE_SECRET",
    "REPLACEME",
    "your-aws-region",
    "yourApiKey",
    "replace-with-host",
    "[key]",
    "[your value]",
    "{your-value}",
    "{SQUARE_API_VERSION}",
    "  <NAME>  ",
]


@pytest.mark.parametrize("text", WHOLE)
def test_is_a_whole_placeholder(text: str) -> None:
    assert is_docs_placeholder(text)


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("https://github.com/<your-username>/dapr-argocd.git", "<your-username>"),
        (
            "https://login.microsoftonline.com/<Directory (tenant) ID>/token",
            "<Directory (tenant) ID>",
        ),
        ("<NAME>-svc", "<NAME>"),
        ("your-registry.azurecr.io/app:1.0", "your-registry"),
        ("Endpoint=sb://YOUR_NAMESPACE.servicebus.windows.net/", "YOUR_NAMESPACE"),
        ("host=db password=*****", "*****"),
    ],
)
def test_a_placeholder_inside_a_value(text: str, token: str) -> None:
    (mark,) = find({"value": text})
    assert (mark.token, mark.whole) == (token, False)
    assert token not in mark.rest


def test_an_unquoted_bracketed_placeholder_word_is_a_one_item_list() -> None:
    (mark,) = find({"spec": {"metadata": [{"name": "region", "value": ["your-aws-region"]}]}})
    assert (mark.path, mark.whole) == (("spec", "metadata", 0, "value"), True)
    assert find({"args": ["serve"]}) == []


def test_long_and_multi_line_text_is_not_scanned() -> None:
    assert find({"data": {"script": "echo <NAME>\n", "long": "<NAME> " + "x" * 5000}}) == []


def test_a_document_without_a_marker_is_not_walked() -> None:
    assert not may_appear("kind: NetworkPolicy\nspec:\n  podSelector: {}\n  ingress: [{}]\n")
    for text in ("name: <NAME>", "key: YOUR_API_KEY", 'v: "[key]"', "v: '{your-value}'", "p: ****"):
        assert may_appear(text), text


@pytest.mark.parametrize("value", ["hunter2 <x>", "S3cretPassw0rd ****", "<user>:hunter2"])
def test_a_password_beside_a_placeholder_is_still_a_secret(value: str) -> None:
    text = f"""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: cache, namespace: todo}}
spec:
  type: state.redis
  version: v1
  metadata:
    - {{name: redisHost, value: "redis:6379"}}
    - {{name: redisPassword, value: "{value}"}}
scopes: [backend]
"""
    report = validate([Source("c.yaml", text, "c.yaml")])
    assert [f.rule for f in report.findings if f.severity is Severity.ERROR] == [
        "security-inline-secret"
    ]
    assert "hunter2" not in str([f.message for f in report.findings])
    assert "S3cretPassw0rd" not in str([f.message for f in report.findings])


@pytest.mark.parametrize("value", ["Orders <orders@example.com>", "<a@b.c>"])
def test_an_email_address_is_not_a_placeholder(value: str) -> None:
    assert spans(value) == [] and not is_docs_placeholder(value)
