"""The checks ``ValidatePersistentVolumeClaimSpec`` (pkg/apis/core/validation/validation.go)
makes on a claim's spec, shared by a Pod's ephemeral volumes and a StatefulSet's
volumeClaimTemplates. dataSource, dataSourceRef and volumeAttributesClassName are not checked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.kubernetes.names import name_is_dns_subdomain_errors
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._quantity import PATTERN, Unknown, parse_quantity
from tools.rules.kubernetes._selector import selector_messages

Path = tuple[str | int, ...]
ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
VOLUME_MODES = ("Block", "Filesystem")
Problem = tuple[str, Path]


def claim_spec_problems(spec: dict[str, Any], base: Path) -> Iterator[Problem]:
    """Each (message, path) the API server would give for ``spec`` at ``base``."""
    modes = spec.get("accessModes")
    at: Path = (*base, "accessModes")
    if modes is None or modes == []:
        yield f.required(at, "at least 1 access mode is required"), at
    once_pod = other = False
    for i, mode in enumerate(f.as_list(modes)):
        if not isinstance(mode, str):
            continue
        if mode not in ACCESS_MODES:
            yield f.not_supported(at, mode, ACCESS_MODES), (*at, i)
        elif mode == "ReadWriteOncePod":
            once_pod = True
        else:
            other = True
    if once_pod and other:
        yield f.forbidden(at, "may not use ReadWriteOncePod with other access modes"), at
    selector = spec.get("selector")
    if isinstance(selector, dict):
        yield from selector_messages((*base, "selector"), selector)
    yield from _storage(spec, base)
    storage_class = spec.get("storageClassName")
    if isinstance(storage_class, str) and storage_class:
        at = (*base, "storageClassName")
        for msg in name_is_dns_subdomain_errors(storage_class):
            yield f.invalid(at, storage_class, msg), at
    mode = spec.get("volumeMode")
    if isinstance(mode, str) and mode not in VOLUME_MODES:
        at = (*base, "volumeMode")
        yield f.not_supported(at, mode, VOLUME_MODES), at


def _storage(spec: dict[str, Any], base: Path) -> Iterator[Problem]:
    requests = f.as_dict(f.as_dict(spec.get("resources")).get("requests"))
    shown = (*base, "resources", f.Key("storage"))
    raw = requests.get("storage")
    if raw is None:
        yield f.required(shown), ((*base, "resources", "requests") if requests else base)
        return
    at = (*base, "resources", "requests", "storage")
    try:
        value = parse_quantity(raw)
    except Unknown:
        return
    if value is None:
        detail = f"quantities must match the regular expression '{PATTERN}'"
        yield f.invalid(shown, raw, detail), at
    elif value <= 0:
        yield f.invalid(shown, raw, "must be greater than zero"), at
