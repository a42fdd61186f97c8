"""An entry of `spec.metric(s).http.pathMatching` that Go's `http.ServeMux` refuses: a `{` that
does not start its segment, a wildcard without its closing `}`, a wildcard name that is not a
Go identifier or is used twice, `{$}` or `{name...}` before the end, a space, a wildcard named
`app_id` (daprd adds one itself), or two entries with the same shape under different wildcard
names (`/orders/{id}` and `/orders/{orderID}`).

## Why

`newPathMatching` in `pkg/diagnostics/http_monitoring_path_matching.go` (dapr/dapr 1.18)
normalizes each path (`NormalizeHTTPPath`: merged double slashes, a leading slash), adds
`/v1.0/invoke/{app_id}/method<path>` for every path not already under `/v1.0/invoke/`
(`cleanAndSortPaths`), drops exact duplicates, and registers each with
`http.ServeMux.HandleFunc`. ServeMux parses the pattern (`parsePattern` in Go's
`net/http/pattern.go`) and panics on a parse error or on a pattern that conflicts with one
already registered. `InitMetrics` (`pkg/diagnostics/metrics.go`) builds this at start-up when
metrics are enabled.

## What happens at runtime

The sidecar panics while initialising metrics and restarts in a loop.

This rule finds parse errors and conflicts between patterns of the same shape; it does not
find partial overlaps such as `/a/{x}` against `/{y}/b`, which ServeMux also refuses.

## How to fix

Use whole-segment wildcards with distinct identifier names, `{rest...}` and `{$}` only at the
end, and one pattern per shape: `/orders/{orderID}/items/{itemID}`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule

# daprd also registers "/v1.0/invoke/{app_id}/method" + path for every path not already under
# /v1.0/invoke/ (cleanAndSortPaths), so app_id is taken.
_INVOKE_PREFIX = "/v1.0/invoke/"
_INVOKE_WILDCARD = "app_id"


def normalize(path: str) -> str:
    """NormalizeHTTPPath: merge double slashes, ensure a leading slash."""
    while "//" in path:
        path = path.replace("//", "/")
    return path if path.startswith("/") else "/" + path


def _wildcard_name_ok(name: str) -> bool:
    """A Go identifier: letters and underscore, digits after the first character."""
    for index, char in enumerate(name):
        category = unicodedata.category(char)
        if not (category.startswith("L") or char == "_" or (index and category == "Nd")):
            return False
    return bool(name)


def pattern_problem(path: str) -> tuple[str | None, tuple[tuple[str, bool, bool], ...]]:
    """Why ServeMux refuses the pattern ``path`` (already normalized), and its segments as
    (literal or "", is wildcard, is multi) for the equivalence check."""
    if " " in path or "\t" in path:
        return "contains a space", ()
    segments: list[tuple[str, bool, bool]] = []
    seen: set[str] = set()
    rest = path
    while rest:
        rest = rest[1:]
        if not rest:
            segments.append(("", True, True))  # a trailing slash matches everything below
            break
        cut = rest.find("/")
        segment, rest = (rest, "") if cut < 0 else (rest[:cut], rest[cut:])
        brace = segment.find("{")
        if brace < 0:
            segments.append((segment, False, False))
            continue
        if brace != 0:
            return "has a '{' that does not start its segment", ()
        if not segment.endswith("}"):
            return "has a wildcard segment that does not end with '}'", ()
        name = segment[1:-1]
        if name == "$":
            if rest:
                return "has {$} before the end", ()
            segments.append(("/", False, False))
            break
        multi = name.endswith("...")
        name = name[:-3] if multi else name
        if multi and rest:
            return "has a {name...} wildcard before the end", ()
        if not _wildcard_name_ok(name):
            return f'has a wildcard name "{name}" that is not a Go identifier', ()
        if name in seen:
            return f'uses the wildcard name "{name}" twice', ()
        seen.add(name)
        segments.append(("", True, multi))
    return None, tuple(segments)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    for field in ("metric", "metrics"):
        paths = dm.dig(resource.doc, "spec", field, "http", "pathMatching")
        seen: dict[tuple[tuple[str, bool, bool], ...], tuple[int, str]] = {}
        for index, raw in enumerate(paths if isinstance(paths, list) else []):
            if not isinstance(raw, str):
                continue
            location = ("spec", field, "http", "pathMatching", index)
            path = normalize(raw)
            problem, shape = pattern_problem(path)
            patterns = [(path, shape)]
            if problem is None and not path.startswith(_INVOKE_PREFIX):
                variant = f"{_INVOKE_PREFIX}{{{_INVOKE_WILDCARD}}}/method{path}"
                problem, variant_shape = pattern_problem(variant)
                if problem:
                    problem = f"{problem} once daprd adds its service-invocation variant {variant}"
                patterns.append((variant, variant_shape))
            for pattern, pattern_shape in patterns if problem is None else []:
                earlier = seen.get(pattern_shape)
                if earlier is not None and earlier[1] != pattern:
                    problem = (
                        f'registers "{pattern}", which matches exactly the same requests as '
                        f'"{earlier[1]}" (entry {earlier[0]}), so the two patterns conflict'
                    )
                    break
            if problem is None:
                for pattern, pattern_shape in patterns:
                    seen.setdefault(pattern_shape, (index, pattern))
                continue
            yield RULE.finding(
                resource,
                f'pathMatching "{raw}" {problem}: daprd registers it on a Go ServeMux, which '
                "panics on such a pattern, and the sidecar crashes at start-up.",
                location,
            )


RULE = Rule(
    id="dapr-metric-path-matching",
    category="dapr",
    severity=Severity.ERROR,
    summary="metrics http.pathMatching entry that Go's ServeMux refuses (daprd panics)",
    check=check,
    kinds=frozenset({"Configuration"}),
)
