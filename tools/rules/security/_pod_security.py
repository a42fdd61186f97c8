"""What the security-pss-* rules share: the Pod Security level each namespace enforces and warns
at, the pod metadata a control reads, and one way to build a control's rule.

The PodSecurity admission plugin (k8s.io/pod-security-admission, ``admission.Admission``) reads
the ``pod-security.kubernetes.io/enforce`` and ``/warn`` labels of the pod's Namespace. It refuses
a Pod that fails a control of the enforced level, and it answers a Pod or a workload (whose pod
template fails a control of the warned level) with a warning. A workload's template is never
refused; the Pods its controller creates are, so the rollout never gets a Pod. The levels nest:
restricted includes every baseline control, baseline none of restricted's.

A namespace's level comes from the label on its Namespace in the input; with no such Namespace
or label, from ``--pod-security-enforce`` / ``--pod-security-warn`` (or the config file), by
default baseline enforced and restricted warned. Controls are evaluated as the plugin's
``latest`` version does (policy/check_*.go at v0.34); the ``*-version`` labels are not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from tools.core.context import RunContext
from tools.core.defaults import POD_SECURITY_LEVELS
from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._field import as_dict
from tools.rules.kubernetes._pods import KINDS, Path, PodSpec, pod_spec

ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
WARN_LABEL = "pod-security.kubernetes.io/warn"
BASELINE = "baseline"
RESTRICTED = "restricted"


@dataclass(frozen=True)
class Mode:
    """One admission mode of a namespace: its level and where that level was decided."""

    level: str
    source: str  # "label on Namespace 'todo'" or "the default" / "--pod-security-enforce"


@dataclass(frozen=True)
class NamespaceLevels:
    enforce: Mode
    warn: Mode


@dataclass(frozen=True)
class Violation:
    """One failed control, as PodSecurity words it: ``reason`` (``host namespaces``) and
    ``detail`` (``hostNetwork=true``), at ``path`` inside the resource. ``injected``: only the
    daprd container the Dapr injector adds fails, so a workload's template shows nothing yet."""

    reason: str
    detail: str
    path: Path
    injected: bool = False


@dataclass(frozen=True)
class PodView:
    """What a control reads: the pod spec (with its path) and the pod's metadata (a Pod's own,
    or the template's), both as plain mappings, and the run's settings (what the cluster's Dapr
    injector does beyond the manifest)."""

    pod: PodSpec
    metadata: dict[str, Any]
    metadata_path: Path
    context: RunContext = field(default_factory=RunContext)

    @property
    def spec(self) -> dict[str, Any]:
        return self.pod.spec

    @property
    def annotations(self) -> dict[str, Any]:
        return as_dict(self.metadata.get("annotations"))


Violations = Callable[[PodView], Iterable[Violation]]


def _rank(level: str) -> int:
    return POD_SECURITY_LEVELS.index(level)


def namespace_levels(bundle: Bundle, resource: Resource) -> NamespaceLevels:
    """The enforce and warn levels of the namespace ``resource`` is created in."""
    key = ("pod-security-levels", resource.profile, resource.namespace)
    return bundle.memo(key, lambda: _levels(bundle, resource.profile, resource.namespace))


def _namespace_labels(bundle: Bundle) -> dict[tuple[str | None, str], dict[str, Any]]:
    """(profile, name) -> labels of each Namespace in the input (the last one wins)."""
    labels: dict[tuple[str | None, str], dict[str, Any]] = {}
    for r in bundle.resources:
        if r.kind == "Namespace" and r.api_version == "v1" and r.name:
            labels[(r.profile, r.name)] = as_dict(r.metadata.get("labels"))
    return labels


def _levels(bundle: Bundle, profile: str | None, namespace: str | None) -> NamespaceLevels:
    context = bundle.context
    all_labels = bundle.memo("namespace-labels", lambda: _namespace_labels(bundle))
    labels = all_labels.get((profile, namespace or "default"), {})

    def mode(label: str, setting: str, flag: str) -> Mode:
        value = labels.get(label)
        if isinstance(value, str) and value in POD_SECURITY_LEVELS:
            return Mode(value, f"the {label} label on Namespace '{namespace or 'default'}'")
        return Mode(
            setting,
            f"set by {flag} or its default, as no Namespace '{namespace or 'default'}' in the "
            "input carries the label",
        )

    return NamespaceLevels(
        enforce=mode(ENFORCE_LABEL, context.pod_security_enforce, "--pod-security-enforce"),
        warn=mode(WARN_LABEL, context.pod_security_warn, "--pod-security-warn"),
    )


def pod_view(resource: Resource) -> PodView | None:
    pod = pod_spec(resource)
    if pod is None:
        return None
    metadata_path: Path = (*pod.path[:-1], "metadata")
    node: Any = resource.doc
    for part in metadata_path:
        node = as_dict(node).get(part) if isinstance(part, str) else None
    return PodView(pod, as_dict(node), metadata_path)


def _consequence(resource: Resource, level: str, mode: Mode, enforced: bool, injected: bool) -> str:
    template = resource.kind != "Pod"
    if not enforced:
        where = f"The namespace warns at the '{level}' Pod Security level ({mode.source})"
        if template and injected:
            return f"{where}: the API server admits each Pod with a warning its controller gets"
        return f"{where}: the API server admits it with a warning"
    where = f"The namespace enforces the '{level}' Pod Security level ({mode.source})"
    if not template:
        return f"{where}: the API server refuses this Pod"
    admitted = "without a warning (its template has no daprd yet)" if injected else "with a warning"
    return (
        f"{where}: the API server admits the {resource.kind} {admitted}, then refuses every "
        "Pod it creates, so none ever runs"
    )


def control_rule(
    *,
    rule_id: str,
    level: str,
    summary: str,
    violations: Violations,
    replaced_by: str = "",
    aliases: tuple[str, ...] = (),
) -> Rule:
    """The rule of one PodSecurity control of ``level`` (baseline or restricted): an error where
    the namespace enforces that level, a warning where it only warns at it, else nothing.

    ``replaced_by`` names the restricted rule whose check lists this baseline one in
    ``OverrideCheckIDs`` (policy/checks.go, applied in registry.go): in a mode whose level is
    restricted only that check runs, so this one reports only in a mode whose level is exactly
    baseline."""

    def runs_in(mode: Mode) -> bool:
        if replaced_by:
            return mode.level == level
        return _rank(mode.level) >= _rank(level)

    def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
        view = pod_view(resource)
        if view is None:
            return
        view = replace(view, context=bundle.context)
        levels = namespace_levels(bundle, resource)
        if runs_in(levels.enforce):
            severity, mode, enforced = Severity.ERROR, levels.enforce, True
        elif runs_in(levels.warn):
            severity, mode, enforced = Severity.WARNING, levels.warn, False
        else:
            return
        for violation in violations(view):
            consequence = _consequence(resource, level, mode, enforced, violation.injected)
            yield rule.finding(
                resource,
                f"{violation.reason} ({violation.detail}). {consequence}",
                violation.path,
                severity=severity,
            )

    rule = Rule(
        id=rule_id,
        category="security",
        severity=Severity.ERROR if level == BASELINE else Severity.WARNING,
        summary=summary,
        check=check,
        kinds=KINDS,
        modes="kubernetes",  # PodSecurity admission runs in the API server
        severity_note=(
            " under the default levels; in general an error where the namespace enforces this "
            "control's level (its "
            "pod-security.kubernetes.io/enforce label, else --pod-security-enforce, default "
            "baseline); warning where it only warns at it (/warn label, else "
            "--pod-security-warn, default restricted); nothing below both"
            + (
                f"; nothing in a mode at restricted, where {replaced_by} replaces it"
                if replaced_by
                else ""
            )
        ),
        aliases=aliases,
    )
    return rule


def containers_with_path(view: PodView) -> Iterator[tuple[dict[str, Any], Path, str]]:
    """Every container PodSecurity visits (init, regular and ephemeral), with its path and its
    kind of list (``initContainers``, ``containers``, ``ephemeralContainers``), as
    ``visitContainers`` in policy/visitor.go does."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        items = view.spec.get(key)
        if not isinstance(items, list):
            continue
        for i, body in enumerate(items):
            if isinstance(body, dict):
                yield body, (*view.pod.path, key, i), key


def quoted_names(names: Iterable[str]) -> str:
    """``"a", "b"`` as PodSecurity lists container names in its details."""
    return ", ".join(f'"{n}"' for n in names)
