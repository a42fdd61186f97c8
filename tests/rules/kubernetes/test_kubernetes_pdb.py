"""kubernetes-pdb: the PodDisruptionBudget spec checks of the policy validation."""

from __future__ import annotations

import pytest
from k8s_rule_util import errors, run

from tools.rules.kubernetes.pdb import RULE

PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: todo, namespace: todo}
spec:
  SPEC
  selector: {matchLabels: {app: todo}}
"""


def pdb(*fields: str) -> str:
    return PDB.replace("SPEC", "\n  ".join(fields) or "minAvailable: 1")


VALID = {
    "count": ("minAvailable: 0",),
    "percent": ("maxUnavailable: '100%'",),
    "zero percent": ("minAvailable: '0%'",),
    "neither": ("unhealthyPodEvictionPolicy: AlwaysAllow",),
    "if healthy": ("maxUnavailable: 1", "unhealthyPodEvictionPolicy: IfHealthyBudget"),
}


@pytest.mark.parametrize("case", sorted(VALID))
def test_valid_budgets_are_clean(case: str) -> None:
    assert errors(RULE, pdb(*VALID[case])) == []


REFUSED = {
    "both": (
        ("minAvailable: 1", "maxUnavailable: 1"),
        "/spec/maxUnavailable",
        "minAvailable and maxUnavailable cannot be both set",
    ),
    "quoted number": (
        ("minAvailable: '2'",),
        "/spec/minAvailable",
        'spec.minAvailable: Invalid value: "2": a valid percent string must be a numeric string '
        "followed by an ending '%'",
    ),
    "negative": (
        ("maxUnavailable: -1",),
        "/spec/maxUnavailable",
        "spec.maxUnavailable: Invalid value: -1: must be greater than or equal to 0",
    ),
    "above 100%": (
        ("minAvailable: '101%'",),
        "/spec/minAvailable",
        'spec.minAvailable: Invalid value: "101%": must not be greater than 100%',
    ),
    "decimal percent": (("maxUnavailable: '12.5%'",), "/spec/maxUnavailable", "valid percent"),
    # Atoi's range error comes with MaxInt64 (strconv.ParseInt clamps), which is over 100.
    "huge percent": (
        ("minAvailable: '99999999999999999999%'",),
        "/spec/minAvailable",
        "greater than 100%",
    ),
    "policy": (
        ("maxUnavailable: 1", "unhealthyPodEvictionPolicy: Always"),
        "/spec/unhealthyPodEvictionPolicy",
        'Unsupported value: "Always": supported values: "AlwaysAllow", "IfHealthyBudget"',
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_budgets(case: str) -> None:
    fields, path, fragment = REFUSED[case]
    (finding,) = run(RULE, pdb(*fields))
    assert finding.rule == "kubernetes-pdb" and finding.is_error
    assert finding.path == path
    assert fragment in finding.message


def test_selector_is_validated() -> None:
    bad = pdb().replace("{app: todo}", "{app: -todo}")
    (message,) = errors(RULE, bad)
    assert message.startswith('spec.selector.matchLabels: Invalid value: "-todo"')
    empty = pdb().replace("selector: {matchLabels: {app: todo}}", "selector: {}")
    assert errors(RULE, empty) == []


def test_hostile_shapes_do_not_crash() -> None:
    run(RULE, pdb("minAvailable: [1]", "unhealthyPodEvictionPolicy: 3").replace("{app: todo}", "7"))
    run(RULE, "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: x\n")
