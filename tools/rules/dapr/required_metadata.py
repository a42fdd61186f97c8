"""A field the component needs is missing, or empty. This includes fields an authentication
profile requires once it is selected: Kafka `authType: password` needs `saslUsername` and
`saslPassword`; `authType: oidc` needs the OIDC endpoint, client ID and secret.

## Why

A field counts as given when it has a non-empty value, a `secretKeyRef` or an `envRef`.
Aliases count (`url` for PostgreSQL `connectionString`), and so do legacy fields that stand in
for a newer one (Kafka `authRequired` for `authType`). When several profiles share a selector
(the four AWS profiles of `authType: awsiam`), only what they all require is required.

## Dapr releases

What is required is judged against the metadata.yaml of the chosen Dapr release
(`--dapr-version`; per-release records in `schemas/releases.json`, `component_specs`). With
`authType: oidc_private_key_jwt`, Kafka on 1.17 and 1.18 also requires
`oidcClientAssertionCert` and `oidcClientAssertionKey`; 1.16 has no such profile (and refuses
the value, see `dapr-metadata-value`).

## What happens at runtime

The component fails to initialise (`missing 'brokers' attribute`, `'authType' attribute was
missing or empty`, `missing connection string`), or authentication fails when it connects.
With `ignoreErrors` unset the sidecar exits.

## How to fix

Add the field; take credentials from a Secret with `secretKeyRef`. For types other than the
verified ones (`pubsub.kafka`, `state.postgresql`, `bindings.cron`,
`secretstores.kubernetes`) the upstream metadata sometimes marks either/or fields as both
required, so check the component documentation before adding a field you do not need.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.component_spec import ComponentSpec, FieldSpec
from tools.dapr.metadata_values import is_templated
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
    spec = bundle.dapr.component_spec(resource)
    if spec is None:
        return
    type_ = dm.component_type(resource)
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
    severity_note=" for verified types, warning for the rest",
    summary="Required metadata missing (including authentication-profile requirements)",
    check=check,
    kinds=frozenset({"Component"}),
)
