"""A JSON Schema compiled once for one (apiVersion, kind) and reused for every document.

Validation runs a fast ``is_valid`` first (jsonschema-rs when installed) and works out detailed
errors only for invalid documents (``tools.kubernetes.schema_messages``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from tools.kubernetes.schema_messages import PathParts, RawError, SchemaIssue, explain


class _Checker(Protocol):
    def is_valid(self, instance: Any) -> bool: ...

    def errors(self, instance: Any) -> list[RawError]: ...


class _RustChecker:
    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema_rs

        self._schema = schema
        self._validator = jsonschema_rs.validator_for(schema)
        self._fallback: _PythonChecker | None = None

    def _python(self) -> _PythonChecker:
        """jsonschema-rs refuses non-JSON data (an integer map key from YAML); Python doesn't."""
        if self._fallback is None:
            self._fallback = _PythonChecker(self._schema)
        return self._fallback

    def is_valid(self, instance: Any) -> bool:
        try:
            return bool(self._validator.is_valid(instance))
        except ValueError:
            return self._python().is_valid(instance)

    def errors(self, instance: Any) -> list[RawError]:
        try:
            return [self._convert(error) for error in self._validator.iter_errors(instance)]
        except ValueError:
            return self._python().errors(instance)

    def _convert(self, error: Any) -> RawError:
        schema_path = list(error.schema_path)
        keyword = str(schema_path[-1]) if schema_path else ""
        node = _walk(self._schema, schema_path[:-1])
        branches: tuple[tuple[RawError, ...], ...] = ()
        if keyword in ("oneOf", "anyOf"):
            try:
                context = error.kind.as_dict().get("context") or []
                branches = tuple(tuple(self._convert(e) for e in branch) for branch in context)
            except (AttributeError, TypeError):
                branches = ()
        return RawError(tuple(error.instance_path), keyword, node, branches)


class _PythonChecker:
    def __init__(self, schema: dict[str, Any]) -> None:
        from jsonschema import Draft202012Validator

        self._validator = Draft202012Validator(schema)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def errors(self, instance: Any) -> list[RawError]:
        return [self._convert(error) for error in self._validator.iter_errors(instance)]

    def _convert(self, error: Any) -> RawError:
        node = error.schema if isinstance(error.schema, Mapping) else {}
        branches: tuple[tuple[RawError, ...], ...] = ()
        if error.validator in ("oneOf", "anyOf") and error.context:
            grouped: dict[int, list[RawError]] = {}
            for sub in error.context:
                index = sub.schema_path[0] if sub.schema_path else 0
                grouped.setdefault(int(index), []).append(self._convert(sub))
            branches = tuple(tuple(grouped[i]) for i in sorted(grouped))
        return RawError(tuple(error.absolute_path), str(error.validator), node, branches)


def _walk(schema: Mapping[str, Any], parts: Sequence[Any]) -> Mapping[str, Any]:
    node: Any = schema
    for part in parts:
        if isinstance(node, Mapping):
            node = node.get(str(part))
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return {}
    return node if isinstance(node, Mapping) else {}


def _make_checker(schema: dict[str, Any], engine: str | None = None) -> _Checker:
    """jsonschema-rs when installed (hundreds of times faster on these schemas), else jsonschema."""
    chosen = engine or os.environ.get("TODO_DAPR_SCHEMA_ENGINE", "")
    if chosen != "python":
        try:
            return _RustChecker(schema)
        except ImportError:
            if chosen == "rust":
                raise
    return _PythonChecker(schema)


class CompiledSchema:
    """A schema for one (apiVersion, kind), compiled once and reused."""

    def __init__(
        self,
        api_version: str,
        kind: str,
        schema: dict[str, Any],
        source: str,
        *,
        engine: str | None = None,
        prune_nulls: bool = False,
    ) -> None:
        self.api_version = api_version
        self.prune_nulls = prune_nulls
        self.kind = kind
        self.schema = schema
        self.source = source
        self._checker = _make_checker(schema, engine)

    def __repr__(self) -> str:
        return f"CompiledSchema({self.api_version!r}, {self.kind!r}, source={self.source!r})"

    def is_valid(self, doc: Any) -> bool:
        return self._checker.is_valid(doc)

    def issues(self, doc: Any) -> list[SchemaIssue]:
        """Every schema error of ``doc`` (empty when valid), with messages fit to show."""
        if self._checker.is_valid(doc):
            return []
        checked = doc
        if self.prune_nulls:
            checked = _without_nulls(doc)
            if checked is not doc and self._checker.is_valid(checked):
                return []
        out: list[SchemaIssue] = []
        seen: set[tuple[PathParts, str]] = set()
        for raw in self._checker.errors(checked):
            for issue in explain(raw, checked, doc):
                key = (issue.path, issue.message)
                if key not in seen:
                    seen.add(key)
                    out.append(issue)
        # A misspelt required field shows up twice (unknown + missing); report it once.
        misspelt = {(i.path[:-1], i.suggestion) for i in out if i.suggestion}
        out = [i for i in out if i.keyword != "required" or (i.path, i.field) not in misspelt]
        out.sort(key=lambda i: [str(p) for p in i.path])
        return out


def _without_nulls(doc: Any) -> Any:
    """``doc`` without mapping entries whose value is null, as the API server prunes them.

    A structural CRD schema drops a null field that is not ``nullable`` before validating, so
    ``features:`` left empty is harmless, while an empty required field counts as missing.
    Returns ``doc`` itself when it holds no such entry.
    """
    if isinstance(doc, dict):
        changed = False
        out: dict[Any, Any] = {}
        for key, value in doc.items():
            if value is None:
                changed = True
                continue
            new = _without_nulls(value)
            changed = changed or new is not value
            out[key] = new
        return out if changed else doc
    if isinstance(doc, list):
        items = [_without_nulls(item) for item in doc]
        if any(new is not old for new, old in zip(items, doc, strict=True)):
            return items
        return doc
    return doc
