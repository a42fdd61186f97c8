"""A required metadata field is missing, including fields an authentication profile requires
(Kafka ``authType: password`` needs ``saslUsername`` and ``saslPassword``)."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.catalog import ComponentSpec, FieldSpec, is_templated
from tools.dapr.release_catalog import spec_for
from tools.dapr.releases import release_of
from tools.rules import Bundle, Rule


def _given(resource: Resource) -> tuple[set[str], dict[str, str]]:
    """Names (lower-cased) that carry something, and the literal values usable as selectors."""
    present: set[str] = set()
    literal: dict[str, str] = {}
    for item in dm.metadata_items(resource):
        key = item.name.lower()
        if item.secret_ref is not None or item.env_ref is not None:
            present.add(key)
        elif item.has_value and (item.text.strip() or is_templated(item.text)):
            present.add(key)
            literal.setdefault(key, item.text.strip())
    return present, literal


def _has(field: FieldSpec, present: set[str]) -> bool:
    names = {s.lower() for s in field.spellings} | {s.lower() for s in field.required_unless}
    return bool(names & present)


def _profile_requirements(
    spec: ComponentSpec, literal: dict[str, str]
) -> tuple[str, list[FieldSpec]]:
    """Fields every profile picked by the given selector values requires."""
    chosen = spec.profiles_selected_by(literal)
    if not chosen:
        return "", []
    selectors = {k for p in chosen for k in p.selectors}
    common = set.intersection(*({f.name.lower() for f in p.required_fields()} for p in chosen))
    fields = [chosen[0].fields[k] for k in sorted(common) if k not in selectors]
    reason = ", ".join(f'{chosen[0].fields[k].name}: "{literal[k]}"' for k in sorted(selectors))
    return reason, fields


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    spec = spec_for(type_, version, release_of(bundle.options))
    if spec is None:
        return
    present, literal = _given(resource)
    # Upstream files mark some either/or fields as both required; trust them fully only for
    # entries checked against the code.
    severity = Severity.ERROR if spec.verified else Severity.WARNING
    missing = [f for f in spec.canonical_fields() if f.required and not _has(f, present)]
    if missing:
        names = ", ".join(f'"{f.name}"' for f in missing)
        yield RULE.finding(
            resource,
            f"{type_} requires {names}; without it the component fails to initialise and the "
            "sidecar exits. Add it (from a secretKeyRef if it is a credential).",
            ("spec", "metadata"),
            severity=severity,
        )
    reason, needed = _profile_requirements(spec, literal)
    lacking = [f for f in needed if not _has(f, present) and f not in missing]
    if lacking:
        names = ", ".join(f'"{f.name}"' for f in lacking)
        yield RULE.finding(
            resource,
            f"with {reason}, {type_} also requires {names}; without it authentication fails "
            "when the component initialises. Add it (credentials from a secretKeyRef), or "
            "choose another authentication type.",
            ("spec", "metadata"),
            severity=severity,
        )


RULE = Rule(
    id="dapr-required-metadata",
    category="dapr",
    severity=Severity.ERROR,
    summary="Required metadata missing (including authentication-profile requirements)",
    check=check,
    explanation="A field counts as given when it has a value, a secretKeyRef or an envRef. "
    "Profile requirements apply once a selector such as authType picks the profile. Error for "
    "component types checked against their code; warning for the rest.",
    kinds=frozenset({"Component"}),
)
