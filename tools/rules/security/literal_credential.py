"""A credential is written literally in a container's environment, an annotation or a
ConfigMap, outside Dapr's own resources:

- in a container's `env[].value` (regular, init and ephemeral containers of a Pod or of any
  workload's pod template): a variable whose **name** says it holds a secret (`DB_PASSWORD`,
  `AWS_SECRET_ACCESS_KEY`, `API_TOKEN`, `JWT_SECRET`, `PRIVATE_KEY`...), or a variable of any
  name whose **value** has a credential's shape (a URL or DSN with a password, a `password=`
  pair, a PEM private key, a known token format such as `AKIA…`, `ghp_…`, a JWT, or a
  high-entropy token);
- in an annotation value of any resource (its own or its pod template's) with a credential's
  shape, under an annotation whose name ends in `password` (`backend.example.com/db-password`;
  other secret words such as `dapr.io/api-token-secret` name a Secret rather than hold one, and
  a value with `/` is a path), or in the `dapr.io/env` annotation, which gives daprd
  environment variables as `NAME=value` pairs, under a secret name;
- in a ConfigMap's `data` under a secret key name (`DB_PASSWORD`, `api_key`, `db.password`).
  Values with a credential's shape in ConfigMaps and in Dapr resources are
  `security-secret-in-value`'s, and Component metadata is `security-inline-secret`'s: each
  value is reported once.

A name is secret when its last word is `password`, `passwd`, `pwd`, `secret`, `token`,
`credential(s)` or `passphrase`, when it is `<access|api|client|private|secret|...> key`, or a
connection string (the names `security-inline-secret` recognises in Component metadata).
A value under such a name is not a credential when it is empty, a placeholder (`$(OTHER_VAR)`,
which Kubernetes expands from another variable, `${VAR}`, `{{ .Values.x }}`, `<password>`),
`true` or `false` (a switch: `REQUIRE_TOKEN: "true"`), a PEM certificate, a key file name
(`PRIVATE_KEY: keys/app.pem`), under a URL or connection-string name an address without a
password, or, under `<THING>_SECRET_KEY` / `<THING>_SECRET_NAME`, a lower-case dashed name
without digits (`ENDPOINT_SECRET_KEY: azure-cognitiveservices-endpoint`): the key an app looks
up in a secret store, as Dapr's samples do. A name that ends in another word is not secret:
`DB_PASSWORD_FILE: /run/secrets/db` is a path, `TOKEN_TTL` a duration.

The annotation `kubectl.kubernetes.io/last-applied-configuration` copies the whole object,
which is checked itself, so it is skipped.

## Why

The API server stores env values, annotations and ConfigMap data as plain text. Anyone who
can `kubectl get` or `describe` the resource reads them, and so does anyone with the rendered
manifests, the values file, the Helm release record or a CI log. The kubelet
(`makeEnvironmentVariables` in kubernetes pkg/kubelet/kubelet_pods.go) passes a non-empty
`value` to the container as written, after expanding `$(VAR)` references to other variables;
only `valueFrom.secretKeyRef` reads a Secret. The Dapr injector splits the `dapr.io/env`
annotation into literal variables of the daprd container the same way (`parseEnvVars` in dapr
pkg/injector/patcher/sidecar_container.go).

## What happens at runtime

Everything works, and the credential has leaked. It is an error, as for
`security-inline-secret`: a credential in plain text breaks the promise that secrets live
only in Secrets.

## How to fix

Keep the credential in a Kubernetes Secret, created outside the chart, and reference it:

```yaml
        env:
          - name: DB_PASSWORD
            valueFrom:
              secretKeyRef: {name: postgres, key: password}
```

For daprd, use `dapr.io/env-from-secret: "DB_PASSWORD=postgres:password"` instead of
`dapr.io/env`. Move secret ConfigMap keys to a Secret. Messages show the field and the length
of the value, never the value.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._field import as_dict, as_list, brief
from tools.rules.security._dapr_sidecar import dapr_env_pairs
from tools.rules.security._pod_security import PodView, containers_with_path, pod_view
from tools.secrets.text import find_secrets_in_text, is_placeholder

Path = tuple[str | int, ...]

_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_DAPR_ENV = "dapr.io/env"
_SWITCHES = frozenset({"true", "false"})
_CACHED_LENGTH = 1024
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "passphrase"})
_KEY_NAME_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz-.")


def _scan(text: str) -> tuple[str, ...]:
    return tuple(sorted({kind for kind, _secret in find_secrets_in_text(text)}))


_cached_scan = lru_cache(maxsize=4096)(_scan)


def _shapes(text: str) -> tuple[str, ...]:
    """The kinds of credential ``text`` holds by its shape, sorted."""
    return _cached_scan(text) if len(text) <= _CACHED_LENGTH else _scan(text)


def _names_a_secret_key(name: str, value: str) -> bool:
    """``ENDPOINT_SECRET_KEY: azure-cognitiveservices-endpoint``: the name of a key in a secret
    store, which the app looks up (through Dapr's secrets API), not the secret itself. Only
    under ``<THING>_SECRET_KEY`` / ``<THING>_SECRET_NAME``, and only a lower-case dashed or
    dotted name without digits."""
    words = dapr_model.name_words(name)
    if len(words) < 3 or words[-2:] not in (("secret", "key"), ("secret", "name")):
        return False
    if not any(c in value for c in "-.") or value[0] in "-." or value[-1] in "-.":
        return False
    return all(c in _KEY_NAME_CHARACTERS for c in value)


def _secret_by_name(name: str, value: str) -> bool:
    """Whether ``value`` under ``name`` is a credential because of what the name says."""
    stripped = value.strip()
    if not stripped or is_placeholder(value) or stripped.lower() in _SWITCHES:
        return False
    if _names_a_secret_key(name, stripped):
        return False
    return dapr_model.name_looks_sensitive(name) and dapr_model.holds_literal_secret(name, value)


def _reason(name: str, value: str) -> str | None:
    """Why the literal ``value`` of variable or key ``name`` is a credential, or None."""
    if not value.strip() or is_placeholder(value):
        return None
    kinds = _shapes(value)
    if kinds:
        return f"holds {' and '.join(kinds)}"
    if _secret_by_name(name, value):
        return "is a secret by its name"
    return None


def _env_findings(resource: Resource, view: PodView) -> Iterator[Finding]:
    for container, path, list_name in containers_with_path(view):
        cname = container.get("name")
        which = f"{list_name[:-1]} '{brief(cname)}'" if isinstance(cname, str) else list_name
        for i, var in enumerate(as_list(container.get("env"))):
            if not isinstance(var, dict):
                continue
            name, value = var.get("name"), var.get("value")
            if not isinstance(name, str) or not isinstance(value, str):
                continue
            reason = _reason(name, value)
            if reason is None:
                continue
            yield RULE.finding(
                resource,
                f"env var '{brief(name)}' of {which} has a literal value "
                f"{dapr_model.describe_secret(value)} that {reason}: the API server stores it "
                f"in plain text, and anyone who can read the {resource.kind} or the rendered "
                "manifests can read it. Put it in a Secret and use valueFrom.secretKeyRef",
                (*path, "env", i, "value"),
            )


def _password_annotation(key: str, value: str) -> bool:
    """An annotation whose name ends in ``password`` (``backend.example.com/db-password``) with
    a literal value. Other secret words are left to the value's shape: annotations such as
    ``dapr.io/api-token-secret`` name a Secret, they do not hold one; a value with ``/`` is a
    path (a Vault path, a file)."""
    words = dapr_model.name_words(key.rpartition("/")[2])
    if not words or words[-1] not in _PASSWORD_WORDS:
        return False
    stripped = value.strip()
    if not stripped or "/" in stripped or is_placeholder(value):
        return False
    return stripped.lower() not in _SWITCHES


def _annotation_findings(
    resource: Resource, metadata: dict[str, Any], path: Path, on_pod: bool
) -> Iterator[Finding]:
    for key, value in as_dict(metadata.get("annotations")).items():
        if key == _LAST_APPLIED or not isinstance(value, str):
            continue
        kinds = _shapes(value)
        named: list[str] = []
        if on_pod and key == _DAPR_ENV:
            named = [brief(n) for n, v in dapr_env_pairs(value) if _secret_by_name(n, v)]
        if not kinds and not named and _password_annotation(str(key), value):
            kinds = ("a password, by its key",)
        if not kinds and not named:
            continue
        if named:
            what = f"gives daprd {', '.join(named)} as literal values"
            fix = "use dapr.io/env-from-secret (NAME=secret:key) instead"
        else:
            what = f"holds {' and '.join(kinds)}"
            fix = "move the credential to a Secret and reference it"
        yield RULE.finding(
            resource,
            f"annotation '{brief(key)}' {what}: annotations are stored and shown in plain "
            "text (kubectl describe prints them); " + fix,
            (*path, "annotations", str(key)),
        )


def _configmap_findings(resource: Resource) -> Iterator[Finding]:
    for key, value in as_dict(resource.doc.get("data")).items():
        if not isinstance(value, str) or _shapes(value):
            continue  # a credential's shape is security-secret-in-value's
        if _secret_by_name(str(key), value):
            yield RULE.finding(
                resource,
                f"ConfigMap key '{brief(key)}' is a secret by its name, given as a literal "
                f"value {dapr_model.describe_secret(value)}: ConfigMaps are not confidential "
                "(any reader of the namespace's ConfigMaps sees it). Move the key to a Secret "
                "and mount or reference that instead",
                ("data", str(key)),
            )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    view = pod_view(resource)
    if view is not None:
        yield from _env_findings(resource, view)
    yield from _annotation_findings(
        resource, resource.metadata, ("metadata",), view is not None and view.pod.is_pod
    )
    if view is not None and not view.pod.is_pod:
        yield from _annotation_findings(resource, view.metadata, view.metadata_path, True)
    if resource.kind == "ConfigMap" and resource.group == "":
        yield from _configmap_findings(resource)


RULE = Rule(
    id="security-literal-credential",
    category="security",
    severity=Severity.ERROR,
    summary="a credential is written literally in a container env var, an annotation or a "
    "ConfigMap",
    check=check,
)
