"""The containers PodSecurity evaluates in a Dapr pod: the pod's own, plus the ``daprd`` container
the Dapr sidecar injector adds before PodSecurity runs. Also what the container controls of the
security-pss-* rules that model daprd share (field decoding, PodSecurity's wording helpers, the
seccomp and capability pieces of the baseline/restricted twins).

The injector is a mutating admission webhook, and the API server runs every mutating webhook
before any validating admission plugin, PodSecurity included. So a Pod created from a template
annotated ``dapr.io/enabled: "true"`` is checked with ``daprd`` already in it. Its security
context comes from ``getSidecarContainer`` in dapr/dapr ``pkg/injector/patcher/
sidecar_container.go`` (the same in 1.16, 1.17 and 1.18):

- ``allowPrivilegeEscalation: false`` always;
- ``runAsNonRoot`` from the injector's ``SIDECAR_RUN_AS_NON_ROOT`` (Helm value
  ``dapr_sidecar_injector.sidecarRunAsNonRoot``, true by default), but ``false`` when the
  sidecar's environment has ``SSL_CERT_DIR`` (from the ``dapr.io/env`` or
  ``dapr.io/env-from-secret`` annotation), which also clears ``runAsUser``;
- ``runAsUser`` from ``SIDECAR_RUN_AS_USER``, which the Dapr chart sets only to a value above 0;
- ``seccompProfile.type`` from the ``dapr.io/sidecar-seccomp-profile-type`` annotation, unset
  (inherited from the pod) when the annotation is absent or empty;
- ``capabilities.drop: [ALL]`` only when the injector runs with ``SIDECAR_DROP_ALL_CAPABILITIES``
  (Helm value ``dapr_sidecar_injector.sidecarDropALLCapabilities``, false by default), a
  cluster-wide setting no manifest shows; the model assumes the default.

Injection needs ``dapr.io/enabled`` equal to ``true`` in any case (``podHasDaprEnabled`` in
``pkg/injector/service/handler.go`` since 1.17.3 and in 1.18; 1.16 also takes ``yes``, ``on``,
``1``, which the model does not count), and no container already named ``daprd``
(``podContainsSidecarContainer``). daprd is appended to the regular containers; with 1.18's
native sidecars (``dapr.io/enable-native-sidecar``) it is the last init container instead, which
changes only the order of names in a message. The model is that of the injector's defaults;
what the cluster's Dapr installation changes is said in the messages that depend on it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from tools.rules.kubernetes._field import as_dict, as_list
from tools.rules.kubernetes._go import trim_space
from tools.rules.kubernetes._pods import Path
from tools.rules.security._pod_security import (
    PodView,
    Violation,
    containers_with_path,
    quoted_names,
)

PRIVILEGED = "privileged"
SIDECAR = "daprd"
ENABLED = "dapr.io/enabled"
SECCOMP = "dapr.io/sidecar-seccomp-profile-type"
ENV = "dapr.io/env"
ENV_FROM_SECRET = "dapr.io/env-from-secret"
# The variable that makes the injector run daprd as Windows' ContainerAdministrator.
ADMIN_ENV = "SSL_CERT_DIR"

# RE2's \s, which the injector's envRegexp uses between a comma and the next name.
_RE2_SPACE = " \t\n\f\r"


@dataclass(frozen=True)
class Visited:
    """A container as PodSecurity's ``visitContainers`` sees it.

    ``context`` is its ``securityContext`` (None when unset). For the injected ``daprd``,
    ``path`` is the pod's ``dapr.io/enabled`` annotation and ``sources`` maps a security
    context field to the annotation that decides it."""

    name: str
    context: dict[str, Any] | None
    path: Path
    injected: bool = False
    sources: Mapping[str, Path] = field(default_factory=dict)

    def field_path(self, *fields: str | int) -> Path:
        """Where to point for ``securityContext.<fields>``: the field in the container, or for
        daprd the annotation that decides it."""
        if self.injected:
            return self.sources.get(str(fields[0]), self.path) if fields else self.path
        return (*self.path, "securityContext", *fields)


def _annotation_path(view: PodView, key: str) -> Path:
    return (*view.metadata_path, "annotations", key)


def _separators(text: str) -> list[int]:
    """Indexes of the commas the injector splits ``dapr.io/env`` at: those followed by optional
    space, a name (``[a-zA-Z_][a-zA-Z0-9_]*``) and ``=`` (``envRegexp``). Each comma's scan
    stops at the next comma, so the whole is linear."""
    found: list[int] = []
    n = len(text)
    start = text.find(",")
    while start != -1:
        i = start + 1
        while i < n and text[i] in _RE2_SPACE:
            i += 1
        if i < n and (text[i] == "_" or (text[i].isascii() and text[i].isalpha())):
            i += 1
            while i < n and (text[i] == "_" or (text[i].isascii() and text[i].isalnum())):
                i += 1
            if i < n and text[i] == "=":
                found.append(start)
                start = text.find(",", i + 1)
                continue
        start = text.find(",", start + 1)
    return found


def dapr_env_pairs(text: str) -> list[tuple[str, str]]:
    """The ``NAME=value`` pairs of a ``dapr.io/env`` or ``dapr.io/env-from-secret`` annotation,
    split as the injector splits them (``parseEnvVars``, 1.17+): at the commas ``envRegexp``
    finds, each part trimmed and cut at its first ``=``; a part without ``=`` is dropped."""
    bounds = [-1, *_separators(text), len(text)]
    pairs: list[tuple[str, str]] = []
    for left, right in pairwise(bounds):
        name, sep, value = trim_space(text[left + 1 : right]).partition("=")
        if sep:
            pairs.append((name, value))
    return pairs


def env_names(text: str, from_secret: bool) -> list[str]:
    """The names of the variables the injector adds to daprd from ``dapr.io/env``
    (``from_secret`` False) or ``dapr.io/env-from-secret``."""
    names: list[str] = []
    for name, value in dapr_env_pairs(text):
        clean = trim_space(value)
        if from_secret and ":" in clean and clean.count(":") != 1:
            continue  # createSecretSource gives nil: the variable is not added
        names.append(name)
    return names


def _admin_env(view: PodView) -> Path | None:
    """The annotation that puts SSL_CERT_DIR in daprd's environment, if one does."""
    for key, from_secret in ((ENV, False), (ENV_FROM_SECRET, True)):
        text = view.annotations.get(key)
        if isinstance(text, str) and ADMIN_ENV in env_names(text, from_secret):
            return _annotation_path(view, key)
    return None


def injects_sidecar(view: PodView) -> bool:
    """Whether the injector adds daprd to this pod (``dapr.io/enabled`` is ``true``, case
    aside, and no container is named daprd yet)."""
    enabled = view.annotations.get(ENABLED)
    if not isinstance(enabled, str) or enabled.lower() != "true":
        return False
    for key in ("containers", "initContainers"):
        for body in as_list(view.spec.get(key)):
            if as_dict(body).get("name") == SIDECAR:
                return False
    return True


def sidecar(view: PodView) -> Visited | None:
    """The injected daprd container with the security context the injector gives it."""
    if not injects_sidecar(view):
        return None
    enabled = _annotation_path(view, ENABLED)
    context: dict[str, Any] = {"allowPrivilegeEscalation": False, "runAsNonRoot": True}
    sources: dict[str, Path] = {}
    seccomp = view.annotations.get(SECCOMP)
    if isinstance(seccomp, str):
        sources["seccompProfile"] = _annotation_path(view, SECCOMP)
        if seccomp:
            context["seccompProfile"] = {"type": seccomp}
    if view.context.dapr_sidecar_drop_all:
        context["capabilities"] = {"drop": ["ALL"]}
    admin = _admin_env(view)
    if admin is not None:
        context["runAsNonRoot"] = False
        sources["runAsNonRoot"] = admin
    return Visited(SIDECAR, context, enabled, injected=True, sources=sources)


def _name(body: dict[str, Any]) -> str | None:
    name = body.get("name")
    return name if isinstance(name, str) else None


def visited_containers(view: PodView) -> Iterator[Visited]:
    """Init, regular and ephemeral containers, as ``visitContainers`` (policy/visitor.go)
    walks them once the injector has appended daprd to the regular ones. A container whose
    name or security context has the wrong type cannot be decoded: it is left to the schema
    rules."""
    injected = sidecar(view)
    for body, path, key in containers_with_path(view):
        if key == "ephemeralContainers" and injected is not None:
            yield injected
            injected = None
        name = _name(body)
        context = body.get("securityContext")
        if name is None or not (context is None or isinstance(context, dict)):
            continue
        yield Visited(name, context, path)
    if injected is not None:
        yield injected


def injected_note(names: list[Visited], advice: str) -> str:
    """``; "daprd" is added by ...: <advice>`` when the injected daprd is among ``names``."""
    if not any(v.injected for v in names):
        return ""
    return f'; "{SIDECAR}" is the sidecar the Dapr injector adds (dapr.io/enabled): {advice}'


def pod_context(view: PodView) -> dict[str, Any] | None:
    """The pod's ``securityContext``: None when unset or of the wrong type."""
    context = view.spec.get("securityContext")
    return context if isinstance(context, dict) else None


def is_windows(view: PodView) -> bool:
    """``spec.os.name`` is ``windows``: the restricted Linux-only controls allow the pod."""
    return as_dict(view.spec.get("os")).get("name") == "windows"


def read_bool(context: dict[str, Any] | None, key: str) -> tuple[bool, bool | None]:
    """``(readable, value)`` of a ``*bool`` field: value None when unset; not readable when it
    holds something else, which the API server cannot decode."""
    value = None if context is None else context.get(key)
    if value is None or isinstance(value, bool):
        return True, value
    return False, None


def read_seccomp(context: dict[str, Any] | None) -> tuple[bool, str | None]:
    """``(readable, type)`` of ``seccompProfile``: type None when no profile is set, ``""`` when
    the profile has no type (Go's zero value)."""
    profile = None if context is None else context.get("seccompProfile")
    if profile is None:
        return True, None
    if not isinstance(profile, dict):
        return False, None
    kind = profile.get("type")
    if kind is None:
        return True, ""
    return (True, kind) if isinstance(kind, str) else (False, None)


SECCOMP_VALID = frozenset({"RuntimeDefault", "Localhost"})
SECCOMP_REASON = "seccompProfile"
SECCOMP_ADVICE = "set dapr.io/sidecar-seccomp-profile-type to RuntimeDefault"


def _explicit_seccomp(view: PodView) -> tuple[list[str], set[str], list[Visited], Path | None]:
    """What both seccomp checks report first: the setters of a disallowed type (``pod``, then
    the containers), the disallowed types, the containers, and the first offending field."""
    setters: list[str] = []
    values: set[str] = set()
    first: Path | None = None
    readable, kind = read_seccomp(pod_context(view))
    if readable and kind is not None and kind not in SECCOMP_VALID:
        setters.append("pod")
        values.add(kind)
        first = (*view.pod.path, "securityContext", "seccompProfile", "type")
    bad: list[Visited] = []
    for container in visited_containers(view):
        readable, kind = read_seccomp(container.context)
        if readable and kind is not None and kind not in SECCOMP_VALID:
            bad.append(container)
            values.add(kind)
            if first is None:
                first = container.field_path("seccompProfile", "type")
    if bad:
        names = quoted_names([c.name for c in bad])
        setters.append(f"{plural('container', 'containers', len(bad))} {names}")
    return setters, values, bad, first


def explicit_seccomp(view: PodView) -> Violation | None:
    """The first step of both seccomp checks: a disallowed type set on the pod or a container."""
    setters, values, bad, first = _explicit_seccomp(view)
    if first is None:
        return None
    detail = (
        f"{' and '.join(setters)} must not set securityContext.seccompProfile.type to "
        f"{quoted_names(sorted(values))}"
    )
    only_daprd = len(setters) == 1 and bool(bad) and all(c.injected for c in bad)
    return Violation(
        SECCOMP_REASON, detail + injected_note(bad, SECCOMP_ADVICE), first, injected=only_daprd
    )


def capabilities(container: Visited) -> dict[str, object] | None:
    """The container's ``capabilities``: None when unset or not a mapping."""
    value = None if container.context is None else container.context.get("capabilities")
    return value if isinstance(value, dict) else None


def added_capabilities(container: Visited) -> Iterator[tuple[int, str]]:
    """Each string in ``capabilities.add`` with its index."""
    caps = capabilities(container)
    if caps is not None:
        for i, name in enumerate(as_list(caps.get("add"))):
            if isinstance(name, str):
                yield i, name


def plural(singular: str, plural_form: str, count: int) -> str:
    return singular if count == 1 else plural_form
