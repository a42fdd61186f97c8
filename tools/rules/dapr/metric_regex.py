r"""A `spec.metric(s).rules[].labels[].regex` value that Go's `regexp.Compile` refuses: look-ahead
`(?=...)`, back-references `\1`, possessive `a++`, `\Z`, `\C`, a repetition above 1000, an
unbalanced parenthesis.

## Why

`CreateRulesMap` in `pkg/diagnostics/utils/metrics_utils.go` (dapr/dapr 1.18) compiles every
label regex with `regexp.Compile` and returns on the first error; `InitMetrics`
(`pkg/diagnostics/metrics.go`) passes the error up and `FromConfig` (`pkg/runtime/config.go`)
only logs it.

## What happens at runtime

The sidecar starts, but none of the metric rules is applied, so the label values they were
meant to collapse (URLs with IDs...) stay unbounded.

The check compiles each pattern with RE2 itself (the `google-re2` package), whose syntax Go's
`regexp/syntax` shares; `\C`, which RE2 in C++ accepts and Go refuses, is checked separately.
Python's `re` is not used: it accepts look-around and back-references that Go refuses.

## How to fix

Rewrite the pattern in RE2 syntax (no look-around, no back-references).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule


def _has_any_byte_escape(pattern: str) -> bool:
    """Whether ``pattern`` contains the escape \\C (a backslash that is not itself escaped)."""
    index = 0
    while index < len(pattern) - 1:
        if pattern[index] == "\\":
            if pattern[index + 1] == "C":
                return True
            index += 2
        else:
            index += 1
    return False


@cache
def _options() -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False  # the library would print every refused pattern to stderr
    return options


def go_regex_problem(pattern: str) -> str | None:
    """Why Go's ``regexp.Compile`` refuses ``pattern``, or None."""
    if _has_any_byte_escape(pattern):
        return "invalid escape sequence: \\C"
    import re2

    try:
        re2.compile(pattern, options=_options())
    except re2.error as error:
        detail = error.args[0] if error.args else error
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        return text.split(":", 1)[0]
    return None


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    for field in ("metric", "metrics"):
        rules = dm.dig(resource.doc, "spec", field, "rules")
        for r_index, rule in enumerate(rules if isinstance(rules, list) else []):
            labels = rule.get("labels") if isinstance(rule, dict) else None
            for l_index, label in enumerate(labels if isinstance(labels, list) else []):
                regexes = label.get("regex") if isinstance(label, dict) else None
                if not isinstance(regexes, dict):
                    continue
                for replacement, pattern in regexes.items():
                    if not isinstance(pattern, str):
                        continue
                    problem = go_regex_problem(pattern)
                    if problem is None:
                        continue
                    yield RULE.finding(
                        resource,
                        f'the regex for "{replacement}" is not a valid Go (RE2) regular '
                        f"expression ({problem}): daprd fails to build the metric rules and "
                        "applies none of them, so label values stay unbounded. RE2 has no "
                        "look-around, back-references or possessive quantifiers.",
                        (
                            "spec",
                            field,
                            "rules",
                            r_index,
                            "labels",
                            l_index,
                            "regex",
                            str(replacement),
                        ),
                    )


RULE = Rule(
    id="dapr-metric-regex",
    category="dapr",
    severity=Severity.ERROR,
    summary="Metric label regex that Go's regexp.Compile refuses",
    check=check,
    kinds=frozenset({"Configuration"}),
)
