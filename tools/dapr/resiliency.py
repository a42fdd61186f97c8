"""Reading a Resiliency the way daprd decodes it (dapr/dapr pkg/resiliency, dapr/kit).

The resiliency rules share these helpers. Everything tolerates malformed input (the schema
rules report wrong types): a helper skips what it cannot read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tools.dapr import model as dm
from tools.dapr.durations import go_duration_ns

if TYPE_CHECKING:
    from tools.core.resource import Resource
    from tools.core.resource_set import ResourceSet

# The message daprd logs when DecodeConfiguration fails (pkg/resiliency FromConfigurations);
# it then moves on to the next Resiliency without applying this one's targets.
ABANDONED = "daprd logs 'Could not read resiliency policy {name}' and stops reading this Resiliency"
_POLICY_STAGE = ": none of its targets is applied"
_TARGET_STAGE = (
    ": the targets it has not read yet are never applied (it reads them in random order, so "
    "which ones varies)"
)

# Retry policies daprd defines itself (pkg/resiliency addBuiltInPolicies); a Resiliency may
# override all but the protected one.
BUILT_IN_RETRIES = frozenset(
    {
        "DaprBuiltInServiceRetries",
        "DaprBuiltInActorRetries",
        "DaprBuiltInActorReminderRetries",
        "DaprBuiltInInitializationRetries",
        "DaprBuiltInActorNotFoundRetries",
    }
)
PROTECTED_RETRIES = frozenset({"DaprBuiltInActorNotFoundRetries"})

POLICY_KINDS = ("timeouts", "retries", "circuitBreakers")

# The counts daprd binds when it evaluates a circuit breaker's `trip` (pkg/resiliency/breaker
# Initialize).
TRIP_VARIABLES = frozenset(
    {"requests", "totalSuccesses", "totalFailures", "consecutiveSuccesses", "consecutiveFailures"}
)

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_MS = 1_000_000


def scalar_text(value: Any) -> str | None:
    """A string field as daprd receives it. Outside Kubernetes (where the CRD schema refuses
    a number here) daprd reads files with sigs.k8s.io/yaml, which turns a YAML number or
    boolean into a string when the Go field is a string; anything else is not readable."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return dm.stringify(value)
    return None


def abandoned(resource: Resource, *, in_targets: bool = False) -> str:
    """The consequence of a decode error: policies are read first, then targets."""
    stage = _TARGET_STAGE if in_targets else _POLICY_STAGE
    return ABANDONED.format(name=resource.name or "?") + stage


def _go_int(text: str) -> int | None:
    """``strconv.ParseInt(text, 10, 64)`` (and ``Atoi`` on 64 bits): an optional sign, ASCII
    digits, within int64."""
    digits = text[1:] if text[:1] in {"+", "-"} else text
    if not digits or not digits.isascii() or not digits.isdigit():
        return None
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def _wrap_int64(value: int) -> int:
    return (value - _INT64_MIN) % (1 << 64) + _INT64_MIN


@dataclass(frozen=True)
class Duration:
    """A Resiliency duration as daprd reads it: ``nanoseconds`` is None when it is refused;
    ``wrapped`` when a whole number of milliseconds overflows and Go wraps it around."""

    nanoseconds: int | None
    milliseconds: bool = False
    wrapped: bool = False


def read_duration(text: str) -> Duration:
    """A bare integer is milliseconds, anything else a Go duration.

    Timeouts go through pkg/resiliency ``parseDuration`` (``strconv.ParseInt`` then
    ``time.ParseDuration``); retry and circuit-breaker durations through dapr/kit
    config.decodeString (``strconv.Atoi`` then ``time.ParseDuration``). On 64-bit both read
    the same strings. ``time.Duration(n) * time.Millisecond`` is not checked for overflow.
    """
    whole = _go_int(text)
    if whole is not None:
        exact = whole * _MS
        wrapped = _wrap_int64(exact)
        return Duration(wrapped, milliseconds=True, wrapped=wrapped != exact)
    return Duration(go_duration_ns(text))


def describe_ns(nanoseconds: int) -> str:
    """A short human form: ``90s``, ``-5ms``, ``250ns``."""
    for unit, size in (("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000)):
        if nanoseconds % size == 0 and abs(nanoseconds) >= size:
            return f"{nanoseconds // size}{unit}"
    if nanoseconds % _MS == 0 and nanoseconds:
        return f"{nanoseconds // _MS}ms"
    return f"{nanoseconds}ns"


def duration_problem(text: str, value: Duration | None = None) -> str | None:
    """Why daprd refuses this duration string, or None when it reads it (``value``: the
    string already read with ``read_duration``)."""
    value = value if value is not None else read_duration(text)
    if value.nanoseconds is not None:
        return None
    if go_duration_ns(text.strip()) is not None:
        return "has spaces around it, which Go's duration parser refuses"
    digits = text.lstrip("+-")
    if digits.isascii() and digits.isdigit():
        return "is a whole number beyond int64, and not a Go duration either"
    return (
        "is neither a whole number of milliseconds nor a Go duration within about 2562047h "
        "(units ns, us, ms, s, m, h, such as '500ms' or '1h30m')"
    )


def duration_fault(resource: Resource, subject: str, text: str) -> tuple[str | None, int]:
    """A Resiliency duration read as daprd reads it: the nanoseconds, and the message for a
    value daprd cannot use as written (refused, so the whole Resiliency is skipped; or
    milliseconds that wrap past int64). ``subject`` names it: ``retry 'r1': duration '5x'``."""
    value = read_duration(text)
    problem = duration_problem(text, value)
    if problem is not None:
        return f"{subject} {problem}. {abandoned(resource)}.", 0
    nanoseconds = value.nanoseconds or 0
    if value.wrapped:
        return (
            f"{subject} milliseconds overflows Go's int64 nanoseconds and wraps around to "
            f"{describe_ns(nanoseconds)}. Write a Go duration.",
            nanoseconds,
        )
    return None, nanoseconds


# --- retry status codes (pkg/resiliency retry.go, parsePatterns/compilePattern) -------------

HTTP_CODES = (100, 599)
GRPC_CODES = (0, 16)


def _int32(value: int) -> int:
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


def status_codes_problem(text: str, valid: tuple[int, int]) -> str | None:
    """Why daprd refuses a ``matching`` list (``500,502-504``), or None.

    Items are split on commas and empty items skipped; each is one code or ``start-end``; no
    spaces (``strconv.Atoi`` refuses them); codes must lie in ``valid``, after Go's int32
    conversion, and ``end`` must not be below ``start``.
    """
    low, high = valid
    for item in text.split(","):
        if not item:
            continue
        parts = item.split("-")
        if len(parts) > 2:
            return f"'{item}' has more than one '-'"
        numbers = []
        for part in parts:
            value = _go_int(part)
            if value is None:
                where = "" if part == item else f" in '{item}'"
                return f"'{part}'{where} is not a whole number"
            numbers.append(_int32(value))
        start, end = numbers[0], numbers[-1]
        if not low <= start <= high:
            return f"'{item}' starts at {start}, outside {low}-{high}"
        if not low <= end <= high:
            return f"'{item}' ends at {end}, outside {low}-{high}"
        if end < start:
            return f"'{item}' ends before it starts"
    return None


# --- policies and targets --------------------------------------------------------------------


def policies(resource: Resource, kind: str) -> dict[str, Any]:
    """``spec.policies.<kind>`` as a mapping (empty when absent or malformed)."""
    value = dm.dig(resource.doc, "spec", "policies", kind)
    return value if isinstance(value, dict) else {}


def defined_policies(bundle: ResourceSet, resource: Resource) -> dict[str, frozenset[str]]:
    """Policy names by kind that every Resiliency of the group defines, plus daprd's built-in
    retries. daprd keeps one table for all the Resiliency resources a sidecar loads, and looks
    target names up in it only when a call is made, so a target may name a policy that
    another Resiliency defines."""

    def build() -> dict[str, frozenset[str]]:
        found: dict[str, set[str]] = {kind: set() for kind in POLICY_KINDS}
        found["retries"].update(BUILT_IN_RETRIES)
        for other in dm.group_of(bundle, resource):
            if dm.is_dapr(other, "Resiliency"):
                for kind in POLICY_KINDS:
                    found[kind].update(str(name) for name in policies(other, kind))
        return {kind: frozenset(names) for kind, names in found.items()}

    return bundle.memo(("resiliency-policies", resource.profile, resource.namespace), build)


@dataclass(frozen=True)
class TargetRef:
    """One policy name a target uses: where it is and what kind of policy it names."""

    section: str  # apps, actors, components
    target: str
    direction: str  # inbound / outbound for components, "" otherwise
    field: str  # timeout, retry, circuitBreaker
    name: str
    path: tuple[str | int, ...]


_FIELD_KINDS = {"timeout": "timeouts", "retry": "retries", "circuitBreaker": "circuitBreakers"}


def policy_kind(field: str) -> str:
    return _FIELD_KINDS[field]


def target_refs(resource: Resource) -> Iterator[TargetRef]:
    """Every non-empty policy name under ``spec.targets``."""
    targets = dm.dig(resource.doc, "spec", "targets")
    if not isinstance(targets, dict):
        return
    for section in ("apps", "actors", "components"):
        entries = targets.get(section)
        if not isinstance(entries, dict):
            continue
        for target, body in entries.items():
            if not isinstance(body, dict):
                continue
            base: tuple[str | int, ...] = ("spec", "targets", section, str(target))
            blocks = (
                [(d, body.get(d)) for d in ("inbound", "outbound")]
                if section == "components"
                else [("", body)]
            )
            for direction, block in blocks:
                if not isinstance(block, dict):
                    continue
                for field in _FIELD_KINDS:
                    name = block.get(field)
                    if isinstance(name, str) and name:
                        path = (*base, direction, field) if direction else (*base, field)
                        yield TargetRef(section, str(target), direction, field, name, path)
