"""Send each judged document to the real API server with a server-side dry run, and sort the
outcomes against the validator's verdict (tests/cluster/test_validator_apiserver.py)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from parity import Judged

from tools.cluster.kubeapi import KubeClient, Result
from tools.cluster.processes import ClusterError
from tools.core.findings import Finding

# Validator findings that predict the API server's answer: its own validation and the CRDs'
# schemas (kubernetes, schema) and Pod Security admission at the namespace's enforce level.
API_CATEGORIES = frozenset({"kubernetes", "schema"})
PSS_PREFIX = "security-pss-"
# The level the validator assumes where no Namespace in the input says (its default), given
# to every namespace a case uses without declaring it.
DEFAULT_NAMESPACE_LABELS = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/warn": "restricted",
}
FIELD_MANAGER = "todo-dapr-parity"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")
_API_VERSION_CHARS = _NAME_CHARS | {"/"}


def predicts_refusal(finding: Finding) -> bool:
    return finding.category in API_CATEGORIES or finding.rule.startswith(PSS_PREFIX)


# What PodSecurity admission says on a workload whose pod template breaks the namespace's
# levels: it admits the workload with this warning (pod-security-admission
# ``Admission.ValidatePodController`` warns, it never refuses); the Pods the controller then
# creates are refused at the enforce level.
POD_SECURITY_WARNING = "would violate PodSecurity"


@dataclass(frozen=True)
class Outcome:
    judged: Judged
    status: int
    message: str
    warnings: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300

    @property
    def predicted(self) -> bool:
        return bool(self.judged.errors)

    @property
    def refused_pods(self) -> bool:
        """A workload admitted with PodSecurity's warning: its Pods will be refused."""
        return self.accepted and any(POD_SECURITY_WARNING in w for w in self.warnings)

    def agrees_on(self, rule: str) -> bool:
        if rule.startswith(PSS_PREFIX) and self.judged.doc.get("kind") != "Pod":
            return self.refused_pods or not self.accepted
        return not self.accepted


@dataclass
class Tally:
    outcomes: list[Outcome] = field(default_factory=list)
    not_served: Counter[str] = field(default_factory=Counter)
    not_sent: int = 0


def _sendable(doc: Mapping[str, Any]) -> bool:
    """apiVersion and kind plain enough to put in a discovery URL."""
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    return (
        isinstance(api_version, str)
        and isinstance(kind, str)
        and 0 < len(api_version) <= 253
        and set(api_version) <= _API_VERSION_CHARS
        and 0 < len(kind) <= 63
        and kind.isascii()
        and kind.isalnum()
    )


def _namespace_of(doc: Mapping[str, Any]) -> str | None:
    meta = doc.get("metadata")
    namespace = meta.get("namespace") if isinstance(meta, dict) else None
    return namespace if isinstance(namespace, str) else None


class Sender:
    """Dry-runs documents, keeping each namespace's Pod Security labels as the case says."""

    def __init__(self, kube: KubeClient) -> None:
        self.kube = kube
        self.labels: dict[str, Mapping[str, str]] = {}

    def _namespace(self, name: str, labels: Mapping[str, str]) -> None:
        if self.labels.get(name) == labels or not set(name) <= _NAME_CHARS or len(name) > 63:
            return
        doc = {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": labels},
        }
        result = self.kube.apply(doc, field_manager=FIELD_MANAGER, force=True)
        if result.ok:
            self.labels[name] = labels

    def prepare(self, case_docs: Iterable[Judged]) -> None:
        """Give every namespace the case uses the labels its Namespace document declares (when
        it declares a valid one), else the validator's default levels."""
        declared: dict[str, Mapping[str, str]] = {}
        used: set[str] = set()
        for judged in case_docs:
            doc = judged.doc
            if doc.get("kind") == "Namespace" and doc.get("apiVersion") == "v1":
                meta = doc.get("metadata")
                name = meta.get("name") if isinstance(meta, dict) else None
                labels = meta.get("labels") if isinstance(meta, dict) else None
                if isinstance(name, str) and not judged.errors:
                    declared[name] = {
                        k: v
                        for k, v in (labels if isinstance(labels, dict) else {}).items()
                        if isinstance(k, str)
                        and isinstance(v, str)
                        and k.startswith("pod-security.kubernetes.io/")
                    }
            namespace = _namespace_of(doc)
            if namespace:
                used.add(namespace)
        for name in used | set(declared):
            self._namespace(name, declared.get(name, DEFAULT_NAMESPACE_LABELS))

    def send(self, judged: Judged) -> Result:
        doc = judged.doc
        if doc.get("kind") == "Namespace":
            return self.kube.apply(doc, field_manager=FIELD_MANAGER, force=True, dry_run=True)
        namespace = _namespace_of(doc) or "default"
        result = self.kube.create(doc, namespace=namespace, dry_run=True)
        if result.status == 409 and result.reason == "AlreadyExists":
            result = self.kube.apply(
                doc, namespace=namespace, field_manager=FIELD_MANAGER, force=True, dry_run=True
            )
        return result


def run(kube: KubeClient, cases: Iterable[list[Judged]]) -> Tally:
    tally = Tally()
    sender = Sender(kube)
    sender._namespace("default", DEFAULT_NAMESPACE_LABELS)
    for case_docs in cases:
        sender.prepare(case_docs)
        for judged in case_docs:
            if not _sendable(judged.doc):
                tally.not_sent += 1
                continue
            try:
                result = sender.send(judged)
            except ClusterError as exc:
                # The server closed the connection without an answer: the handler panicked (it
                # recovers per request). The document is not admitted.
                tally.outcomes.append(Outcome(judged, 0, f"no response: {exc}"))
                continue
            if (
                result.status == 404
                and result.reason == "NotFound"
                and "no resource" in (result.message)
            ):
                tally.not_served[f"{judged.doc.get('apiVersion')} {judged.doc.get('kind')}"] += 1
                continue
            tally.outcomes.append(Outcome(judged, result.status, result.message, result.warnings))
    return tally


@dataclass
class RuleRow:
    agree: int = 0
    accepted: list[Outcome] = field(default_factory=list)


def by_rule(outcomes: Iterable[Outcome]) -> dict[str, RuleRow]:
    rows: dict[str, RuleRow] = defaultdict(RuleRow)
    for outcome in outcomes:
        for rule in sorted(outcome.judged.rules):
            if outcome.agrees_on(rule):
                rows[rule].agree += 1
            else:
                rows[rule].accepted.append(outcome)
    return dict(sorted(rows.items()))


def unpredicted(outcomes: Iterable[Outcome]) -> list[Outcome]:
    """Refused by the API server with no predicting error from the validator."""
    return [o for o in outcomes if not o.accepted and not o.predicted]
