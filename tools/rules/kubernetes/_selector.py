"""Label selectors as the API server's ValidateLabelSelector checks them, wherever they appear
(NetworkPolicy peers, workload selectors), and whether a valid one selects a set of labels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.kubernetes.names import label_value_errors, qualified_name_errors
from tools.rules.kubernetes import _field as f

Path = tuple[str | int, ...]
_OPERATORS_WITH_VALUES = ("In", "NotIn")
_OPERATORS_WITHOUT_VALUES = ("Exists", "DoesNotExist")


def selector_messages(path: Path, selector: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    """ValidateLabelSelector: (message, JSON path) for each problem."""
    labels_path = (*path, "matchLabels")
    for key, value in f.as_dict(selector.get("matchLabels")).items():
        for msg in qualified_name_errors(str(key)):
            yield f.invalid(labels_path, key, msg), (*labels_path, key)
        if isinstance(value, str):
            for msg in label_value_errors(value):
                yield f.invalid(labels_path, value, msg), (*labels_path, key)
    for i, expr in enumerate(f.as_list(selector.get("matchExpressions"))):
        if not isinstance(expr, dict):
            continue
        where = (*path, "matchExpressions", i)
        operator = expr.get("operator")
        values = f.as_list(expr.get("values"))
        if operator in _OPERATORS_WITH_VALUES:
            if not values:
                yield (
                    f.required(
                        (*where, "values"), "must be specified when `operator` is 'In' or 'NotIn'"
                    ),
                    where,
                )
        elif operator in _OPERATORS_WITHOUT_VALUES:
            if values:
                yield (
                    f.forbidden(
                        (*where, "values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ),
                    (*where, "values"),
                )
        elif isinstance(operator, str):
            yield (
                f.invalid((*where, "operator"), operator, "not a valid selector operator"),
                (*where, "operator"),
            )
        expr_key = expr.get("key")
        if isinstance(expr_key, str):
            for msg in qualified_name_errors(expr_key):
                yield f.invalid((*where, "key"), expr_key, msg), (*where, "key")
        for j, value in enumerate(values):
            if isinstance(value, str):
                for msg in label_value_errors(value):
                    yield f.invalid((*where, "values", j), value, msg), (*where, "values", j)


def selects(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    """``labels.Selector.Matches`` for a selector that passed validation."""
    for name, value in f.as_dict(selector.get("matchLabels")).items():
        if name not in labels or labels[name] != value:
            return False
    for item in f.as_list(selector.get("matchExpressions")):
        expr = f.as_dict(item)
        key, operator = expr.get("key"), expr.get("operator")
        if not isinstance(key, str):
            continue
        values = f.as_list(expr.get("values"))
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True
