"""The injected daprd container as the PSS rules model it (tools/rules/security/_dapr_sidecar)."""

from __future__ import annotations

from typing import Any

from tools.core.resources import load_text
from tools.rules.security._dapr_sidecar import (
    Visited,
    env_names,
    injects_sidecar,
    sidecar,
    visited_containers,
)
from tools.rules.security._pod_security import PodView, pod_view

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

APP = "      containers: [{name: app, image: registry.example/app:1.0}]"


def view(annotations: str, spec: str = APP) -> PodView:
    text = DEPLOYMENT.format(annotations=annotations, spec=spec)
    [resource] = load_text(text, "t.yaml").resources
    result = pod_view(resource)
    assert result is not None
    return result


def daprd(annotations: str, spec: str = APP) -> Visited:
    found = sidecar(view(annotations, spec))
    assert found is not None
    return found


ENABLED_PATH = ("spec", "template", "metadata", "annotations", "dapr.io/enabled")


def test_the_default_sidecar_context_of_the_injector() -> None:
    found = daprd('{dapr.io/enabled: "true"}')
    assert found.name == "daprd" and found.injected
    context: dict[str, Any] = {"allowPrivilegeEscalation": False, "runAsNonRoot": True}
    assert found.context == context
    assert found.path == ENABLED_PATH
    assert found.field_path("capabilities", "drop") == ENABLED_PATH


def test_the_seccomp_annotation_becomes_the_sidecar_profile() -> None:
    found = daprd('{dapr.io/enabled: "true", dapr.io/sidecar-seccomp-profile-type: Unconfined}')
    assert found.context is not None
    assert found.context["seccompProfile"] == {"type": "Unconfined"}
    assert found.field_path("seccompProfile", "type") == (
        *ENABLED_PATH[:-1],
        "dapr.io/sidecar-seccomp-profile-type",
    )
    # Empty: the injector sets no profile, and the finding still points at the annotation.
    empty = daprd('{dapr.io/enabled: "true", dapr.io/sidecar-seccomp-profile-type: ""}')
    assert empty.context is not None and "seccompProfile" not in empty.context
    assert empty.field_path("seccompProfile")[-1] == "dapr.io/sidecar-seccomp-profile-type"


def test_ssl_cert_dir_makes_the_sidecar_run_as_root_capable() -> None:
    found = daprd('{dapr.io/enabled: "true", dapr.io/env: "LOG=1,SSL_CERT_DIR=/certs"}')
    assert found.context is not None and found.context["runAsNonRoot"] is False
    assert found.field_path("runAsNonRoot")[-1] == "dapr.io/env"
    secret = daprd('{dapr.io/enabled: "true", dapr.io/env-from-secret: "SSL_CERT_DIR=certs:dir"}')
    assert secret.field_path("runAsNonRoot")[-1] == "dapr.io/env-from-secret"
    # A secret reference with two colons gives no variable at all (createSecretSource).
    bad_ref = daprd('{dapr.io/enabled: "true", dapr.io/env-from-secret: "SSL_CERT_DIR=a:b:c"}')
    assert bad_ref.context is not None and bad_ref.context["runAsNonRoot"] is True


def test_env_annotation_is_split_as_the_injector_splits_it() -> None:
    assert env_names("A=1, B=2,C=x,y", False) == ["A", "B", "C"]
    # A comma not followed by NAME= stays inside the value.
    assert env_names("A=x,y,SSL_CERT_DIR=/c", False) == ["A", "SSL_CERT_DIR"]
    assert env_names("  SSL_CERT_DIR=/c", False) == ["SSL_CERT_DIR"]
    assert env_names("SSL_CERT_DIR =/c", False) == ["SSL_CERT_DIR "]
    assert env_names("novalue,,,", False) == []
    assert env_names("", False) == []
    assert env_names(",\t B_1=2", False) == ["B_1"]


def test_when_the_injector_adds_nothing() -> None:
    assert not injects_sidecar(view("{}"))
    assert not injects_sidecar(view('{dapr.io/enabled: "false"}'))
    # 1.17.13+ and 1.18 inject only for "true" (case aside): "yes" is not counted.
    assert not injects_sidecar(view('{dapr.io/enabled: "yes"}'))
    assert not injects_sidecar(view('{dapr.io/enabled: " true"}'))
    assert not injects_sidecar(view("{dapr.io/enabled: true}"))  # not a string: undecodable
    assert injects_sidecar(view('{dapr.io/enabled: "TRUE"}'))
    own = "      containers: [{name: daprd, image: registry.example/daprd:1.0}]"
    assert not injects_sidecar(view('{dapr.io/enabled: "true"}', own))
    init = (
        "      initContainers: [{name: daprd, image: x}]\n      containers: [{name: app, image: x}]"
    )
    assert not injects_sidecar(view('{dapr.io/enabled: "true"}', init))


def test_daprd_is_visited_after_the_regular_containers_and_before_ephemeral_ones() -> None:
    spec = (
        "      initContainers: [{name: init, image: x}]\n"
        "      containers: [{name: app, image: x}, {name: bad, image: x, securityContext: []}]\n"
        "      ephemeralContainers: [{name: debug, image: x}]"
    )
    names = [c.name for c in visited_containers(view('{dapr.io/enabled: "true"}', spec))]
    # "bad" has a security context of the wrong type: left to the schema rules.
    assert names == ["init", "app", "daprd", "debug"]
    names = [c.name for c in visited_containers(view("{}", spec))]
    assert names == ["init", "app", "debug"]
