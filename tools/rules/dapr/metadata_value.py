"""A metadata value outside the allowed values, unparseable as its type, or breaking a
code-level constraint (PostgreSQL timeout >= 1s, keyPrefix without ``||``, cron syntax...)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.catalog import (
    FieldSpec,
    constraint_problem,
    is_templated,
    type_problem,
    value_allowed,
)
from tools.dapr.godecode import decode_problem, is_silent
from tools.dapr.release_catalog import spec_for
from tools.dapr.releases import release_of
from tools.rules import Bundle, Rule
from tools.secrets.text import is_placeholder


def _shown(field: FieldSpec, text: str) -> str:
    """The value as a message may show it: never a sensitive one."""
    return dm.describe_secret(text) if field.sensitive else f'"{text}"'


def _allowed_message(field: FieldSpec, text: str) -> str:
    allowed = field.allowed or ()
    listed = ", ".join(allowed)
    exact = [a for a in allowed if a.lower() == text.strip().lower()]
    if exact and field.values_case_sensitive:
        advice = f'The match is case-sensitive: write "{exact[0]}".'
    else:
        pool = {a.lower(): a for a in allowed}
        stripped = text.strip().lower().removeprefix("scram-")
        close = difflib.get_close_matches(stripped, list(pool), n=1, cutoff=0.6)
        advice = f'Did you mean "{pool[close[0]]}"?' if close else f"Use one of: {listed}."
    effect = field.invalid_effect or "the component refuses it at initialisation"
    return (
        f'"{field.name}" is {_shown(field, text)}, which is not one of {listed}; {effect}. '
        + advice
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    spec = spec_for(type_, version, release_of(bundle.options))
    if spec is None:
        return
    for item in dm.metadata_items(resource):
        field = spec.field(item.name)
        if field is None or item.secret_ref is not None or not item.has_value:
            continue
        if isinstance(item.value, dict | list):
            continue  # a schema finding: metadata values are scalars
        text = item.text
        if is_templated(text) or is_placeholder(text):
            continue
        path = ("spec", "metadata", item.index, "value")
        if text.strip() and not value_allowed(field, text):
            yield RULE.finding(resource, _allowed_message(field, text), path)
            continue
        if field.decode is not None:
            problem = decode_problem(field.decode, text)
            if problem is not None:
                effect = (
                    "the component starts with a different value than written"
                    if is_silent(problem)
                    else "decoding fails, so the component does not initialise"
                )
                yield RULE.finding(
                    resource,
                    f'"{field.name}" {_shown(field, text)} {problem}: {effect}. Fix the value.',
                    path,
                )
                continue
        else:
            problem = type_problem(field.type, text)
        if problem is None and field.constraint and text.strip():
            problem = constraint_problem(field.constraint, text)
        if problem is not None:
            yield RULE.finding(
                resource,
                f'"{field.name}" {_shown(field, text)} {problem}. {type_} fails to initialise '
                "(or, for a boolean, silently reads false); fix the value.",
                path,
            )


RULE = Rule(
    id="dapr-metadata-value",
    category="dapr",
    severity=Severity.ERROR,
    summary="Metadata value not allowed, not parseable, or breaking a code constraint",
    check=check,
    explanation="Values are stringified and decoded by the component code: allowed values "
    "follow the code's case rules, and durations, numbers, booleans and byte sizes must parse.",
    kinds=frozenset({"Component"}),
)
