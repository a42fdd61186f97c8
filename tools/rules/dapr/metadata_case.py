"""A metadata name in non-canonical case: style (info), but an error where the code reads the
exact key."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.release_catalog import spec_for
from tools.dapr.releases import release_of
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    spec = spec_for(type_, version, release_of(bundle.options))
    if spec is None:
        return
    for item in dm.metadata_items(resource):
        field = spec.field(item.name)
        if field is None or item.name in field.spellings:
            continue
        canonical = next(s for s in field.spellings if s.lower() == item.name.lower())
        path = ("spec", "metadata", item.index, "name")
        prefix = field.exact_prefix
        if prefix and not item.name.startswith(prefix):
            yield RULE.finding(
                resource,
                f'"{item.name}" must start with exactly "{prefix}": the component selects '
                f"these keys with a case-sensitive prefix (dapr/kit retry config), so this "
                f'value is ignored and the default applies. Rename it to "{canonical}".',
                path,
                severity=Severity.ERROR,
            )
        elif prefix:
            continue  # after the prefix, names are matched case-insensitively
        elif field.exact_key:
            yield RULE.finding(
                resource,
                f'"{item.name}" must be spelt "{canonical}": the component looks this key up '
                "with its exact spelling, so this value is ignored and the default applies. "
                f'Rename it to "{canonical}".',
                path,
                severity=Severity.ERROR,
            )
        else:
            yield RULE.finding(
                resource,
                f'"{item.name}" works (names are matched case-insensitively) but the '
                f'documented spelling is "{canonical}"; use it so searches and reviews find it.',
                path,
                severity=Severity.INFO,
            )


RULE = Rule(
    id="dapr-metadata-case",
    category="dapr",
    severity=Severity.INFO,
    summary="Metadata name not in its canonical case (error for exact-key fields)",
    check=check,
    explanation="Most metadata is decoded case-insensitively, so another case is only style "
    "(info); a few keys (Kafka initialOffset, caCert, binding route...) are read by exact name, "
    "and for those a different case is an error.",
    kinds=frozenset({"Component"}),
)
