"""A pod or container turns AppArmor off or picks a profile type Pod Security Standard
**baseline** forbids: `securityContext.appArmorProfile.type` other than `RuntimeDefault` or
`Localhost`, or a legacy `container.apparmor.security.beta.kubernetes.io/<container>`
annotation other than `runtime/default`, `localhost/<profile>` or empty. Control "AppArmor".

## Why

PodSecurity's `appArmorProfile` check (k8s.io/pod-security-admission v0.34,
policy/check_appArmorProfile.go, `appArmorProfile_1_0`, its only version, which has read the
fields as well as the annotations since Kubernetes 1.30) looks at the pod's
`securityContext.appArmorProfile`, the same field of every init, regular and ephemeral
container, and every pod annotation under the legacy prefix. `Unconfined` (or the annotation
value `unconfined`) runs the container without the AppArmor profile the runtime would
otherwise apply, so a compromised process loses one layer of confinement.

## What happens at runtime

In a namespace that enforces baseline or restricted, the API server refuses the Pod:
`violates PodSecurity "baseline:latest": forbidden AppArmor profile (container "app" must not
set AppArmor profile type to "Unconfined")`. A Deployment, StatefulSet, DaemonSet, Job or
CronJob is admitted with a warning, but its controller cannot create a single Pod. Where the
namespace only warns at that level, the Pod is admitted with a warning.

## How to fix

Remove the `Unconfined` profile and the legacy annotation, or use the runtime's default
profile or one loaded on the nodes:

```yaml
spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault   # or Localhost with localhostProfile: <name>
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.rules.kubernetes._field import as_dict, brief
from tools.rules.kubernetes._pods import Path
from tools.rules.security._pod_security import (
    BASELINE,
    PodView,
    Violation,
    containers_with_path,
    control_rule,
    quoted_names,
)

ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
ALLOWED_TYPES = frozenset({"RuntimeDefault", "Localhost"})

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n"}
_ESCAPES |= {"\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(text: str) -> str:
    """``text`` as Go's ``%q`` prints it (close enough for a message: printable characters as
    they are, others escaped)."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return '"' + "".join(out) + '"'


def _allowed_annotation(value: str) -> bool:
    return not value or value == "runtime/default" or value.startswith("localhost/")


def _bad_type(holder: Any) -> str | None:
    """The forbidden profile type a securityContext sets, if any. A profile without a string
    type never decodes or validates: the schema rules report it."""
    kind = as_dict(as_dict(holder).get("appArmorProfile")).get("type")
    if isinstance(kind, str) and kind not in ALLOWED_TYPES:
        return kind
    return None


def violations(view: PodView) -> Iterator[Violation]:
    setters: list[str] = []
    values: set[str] = set()
    first: Path | None = None
    field = ("securityContext", "appArmorProfile", "type")

    kind = _bad_type(view.spec.get("securityContext"))
    if kind is not None:
        setters.append("pod")
        values.add(brief(kind))
        first = (*view.pod.path, *field)

    names: list[str] = []
    for body, path, _ in containers_with_path(view):
        kind = _bad_type(body.get("securityContext"))
        if kind is None:
            continue
        name = body.get("name")
        names.append(brief(name) if isinstance(name, str) else "")
        values.add(brief(kind))
        if first is None:
            first = (*path, *field)
    if names:
        word = "container" if len(names) == 1 else "containers"
        setters.append(f"{word} {quoted_names(names)}")

    annotations = sorted(
        (f"{brief(key)}={go_quote(brief(value))}", key)
        for key, value in view.annotations.items()
        if isinstance(key, str)
        and isinstance(value, str)
        and key.startswith(ANNOTATION_PREFIX)
        and not _allowed_annotation(value)
    )
    bad_values = sorted(values) + [shown for shown, _ in annotations]
    if annotations:
        setters.append("annotation" if len(annotations) == 1 else "annotations")
        if first is None:
            first = (*view.metadata_path, "annotations", annotations[0][1])

    if first is None:
        return
    reason = "forbidden AppArmor profile" if len(bad_values) == 1 else "forbidden AppArmor profiles"
    yield Violation(
        reason,
        f"{' and '.join(setters)} must not set AppArmor profile type to {quoted_names(bad_values)}",
        first,
    )


RULE = control_rule(
    rule_id="security-pss-apparmor",
    level=BASELINE,
    summary="pod or container runs without an allowed AppArmor profile (PSS baseline)",
    violations=violations,
)
