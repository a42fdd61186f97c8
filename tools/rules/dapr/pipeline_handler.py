"""A handler of `spec.httpPipeline` or `spec.appHttpPipeline` that matches no loaded HTTP
middleware: its `type` is not `middleware.http.*`, or the Component it names has another type
or a version other than `v1`, or no Component of that name is in the validated manifests.

## Why

`(*pipeline).buildChain` in `pkg/middleware/http/pipeline.go` (dapr/dapr 1.18) looks each
handler up in the middleware store with `store.Get` (`pkg/middleware/store/store.go`), which
finds the Component by name and then requires the same type and version (empty means `v1`; the
Configuration CRD's handler has no version field, so it is always `v1`). Only
`middleware.http.*` Components are added to that store
(`pkg/runtime/processor/middleware/middleware.go`).

## What happens at runtime

A handler that matches nothing is skipped with `continue`: no error, no log line, and requests
pass through the pipeline without that middleware (no rate limit, no OAuth, ...).

## How to fix

Name the middleware Component exactly, with its exact type:

```yaml
httpPipeline:
  handlers:
    - {name: ratelimit, type: middleware.http.ratelimit}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule

_PIPELINES = ("httpPipeline", "appHttpPipeline")
_SKIPPED = "daprd skips this handler without an error and requests pass unfiltered"


def _handler(
    resource: Resource, bundle: Bundle, pipeline: str, index: int, handler: dict[str, object]
) -> Iterator[Finding]:
    name, type_ = handler.get("name"), handler.get("type")
    if not isinstance(name, str) or not isinstance(type_, str):
        return  # the CRD schema requires both
    path = ("spec", pipeline, "handlers", index)
    if not type_.startswith("middleware.http."):
        yield RULE.finding(
            resource,
            f'handler "{name}" has type "{type_}", which is not an HTTP middleware '
            f"(middleware.http.*): {_SKIPPED}.",
            (*path, "type"),
        )
        return
    components = dm.find_component(bundle, resource, name)
    if not components:
        yield RULE.finding(
            resource,
            f'handler "{name}" ({type_}) names no Component in the validated manifests. If it '
            f"is not deployed elsewhere in this namespace, {_SKIPPED}; validate it together "
            "with the Component that defines it.",
            (*path, "name"),
            severity=Severity.WARNING,
        )
        return
    for component in components:
        actual = dm.component_type(component)
        version = dm.component_version(component) or "v1"
        if actual == type_ and version == "v1":
            return
    shown = ", ".join(
        sorted(f"{dm.component_type(c)}/{dm.component_version(c) or 'v1'}" for c in components)
    )
    yield RULE.finding(
        resource,
        f'handler "{name}" has type "{type_}" (version v1: a handler has no version field), but '
        f'the Component "{name}" is {shown}: the match is exact, so {_SKIPPED}.',
        (*path, "type"),
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    for pipeline in _PIPELINES:
        handlers = dm.dig(resource.doc, "spec", pipeline, "handlers")
        for index, handler in enumerate(handlers if isinstance(handlers, list) else []):
            if isinstance(handler, dict):
                yield from _handler(resource, bundle, pipeline, index, handler)


RULE = Rule(
    id="dapr-pipeline-handler",
    category="dapr",
    severity=Severity.ERROR,
    severity_note=" (warning when the Component is not in the validated set)",
    summary="Middleware pipeline handler that matches no loaded middleware Component",
    check=check,
    kinds=frozenset({"Configuration"}),
)
