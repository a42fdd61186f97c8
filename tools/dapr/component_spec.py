"""What the catalog says about one component version: its metadata fields, authentication
profiles and capabilities (built by ``tools.dapr.catalog``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from tools.core.findings import EXIT_USAGE

# Component categories daprd knows (pkg/components/category.go); any other prefix makes it exit.
CATEGORIES = frozenset(
    {
        "bindings",
        "pubsub",
        "secretstores",
        "state",
        "workflow",
        "workflowbackend",
        "middleware",
        "configuration",
        "crypto",
        "lock",
        "nameresolution",
        "conversation",
    }
)

FIELD_TYPES = frozenset({"string", "number", "bool", "duration", "bytesize"})


class CatalogError(Exception):
    """The catalog files are missing or malformed; the message names the file and the fix."""

    exit_status = EXIT_USAGE


@dataclass(frozen=True)
class FieldSpec:
    """One metadata field as the component code reads it."""

    name: str
    type: str = "string"
    required: bool = False
    sensitive: bool = False
    allowed: tuple[str, ...] | None = None
    values_case_sensitive: bool = False
    default: str | None = None
    deprecated: bool = False
    aliases: tuple[str, ...] = ()
    exact_key: bool = False
    # A code-level check beyond the type: "min-duration:1s", "key-prefix", "cron-schedule".
    constraint: str | None = None
    # The field is not required when one of these names is given instead (legacy spellings).
    required_unless: tuple[str, ...] = ()
    # Where the field comes from: "metadata", "profile", "runtime" (daprd itself) or "code".
    origin: str = "metadata"
    # What the code does with a value outside ``allowed`` when it does not refuse it.
    invalid_effect: str | None = None
    # For a deprecated field: the field to use instead.
    replaced_by: str | None = None
    # How the Go code parses the value (``tools.dapr.godecode``), e.g. "mapstructure:uint8".
    decode: str | None = None
    # The name is found only when it starts with exactly this prefix (kit retry ``backOff``);
    # the rest is matched case-insensitively.
    exact_prefix: str | None = None
    # The code decodes the field and then Init replaces its value with something else, so a
    # value written here has no effect: where and with what (a hand-checked fact).
    overwritten: str | None = None
    # The first supported Dapr release whose metadata.yaml marks the field deprecated, when an
    # earlier supported release did not (``tools.dapr.release_catalog``); None: deprecated in all.
    deprecated_since: str | None = None

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ProfileSpec:
    """An authentication profile: fields that only apply, or are only required, when it is used.

    ``selectors`` maps a field (lower-cased) to the values that pick this profile, e.g. Kafka's
    SASL profile is picked by ``authType: password``.
    """

    title: str
    builtin: str | None
    fields: Mapping[str, FieldSpec]
    selectors: Mapping[str, tuple[str, ...]]

    def required_fields(self) -> list[FieldSpec]:
        return [f for key, f in self.fields.items() if f.required and key == f.name.lower()]


@dataclass(frozen=True)
class ComponentSpec:
    type: str
    version: str
    status: str
    fields: Mapping[str, FieldSpec]
    verified: bool = False
    profiles: tuple[ProfileSpec, ...] = ()
    capabilities: frozenset[str] = frozenset()
    source: str = "metadata"
    # The field list is known to be incomplete (e.g. an unreadable upstream file): unknown
    # names are not reported for it.
    open: bool = False

    def field(self, name: str) -> FieldSpec | None:
        """The field called ``name``, compared case-insensitively and through aliases."""
        return self.fields.get(name.lower())

    @property
    def category(self) -> str:
        return self.type.partition(".")[0]

    def canonical_fields(self) -> tuple[FieldSpec, ...]:
        """Every distinct field once (aliases folded into their canonical field)."""
        return self._canonical_fields

    @cached_property
    def _canonical_fields(self) -> tuple[FieldSpec, ...]:
        """Worked out once per spec: rules ask for it for every Component of the type."""
        seen: dict[str, FieldSpec] = {}
        for spec in self.fields.values():
            seen.setdefault(spec.name.lower(), spec)
        return tuple(sorted(seen.values(), key=lambda f: f.name.lower()))

    def profiles_selected_by(self, values: Mapping[str, str]) -> list[ProfileSpec]:
        """Profiles whose selector fields all match ``values`` (lower-cased names → value)."""
        chosen = []
        for profile in self.profiles:
            if not profile.selectors:
                continue
            ok = True
            for key, wanted in profile.selectors.items():
                given = values.get(key)
                spec = profile.fields.get(key)
                exact = spec is not None and spec.values_case_sensitive
                if given is None or not _value_in(given, wanted, exact):
                    ok = False
                    break
            if ok:
                chosen.append(profile)
        return chosen


def _value_in(value: str, allowed: Iterable[str], case_sensitive: bool) -> bool:
    if case_sensitive:
        return value in allowed
    folded = value.lower()
    return any(folded == a.lower() for a in allowed)


def value_allowed(spec: FieldSpec, value: str) -> bool:
    """Whether ``value`` is one of the field's allowed values, with the code's case rule."""
    if spec.allowed is None:
        return True
    return _value_in(value.strip(), spec.allowed, spec.values_case_sensitive)
