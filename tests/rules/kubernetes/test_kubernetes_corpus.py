"""The kubernetes rules over real manifests (Dapr's own test files and quickstarts).

Those files are written for self-hosted mode, where daprd reads them from disk and never asks
an API server; the only kubernetes errors in them are camelCase names (``daprConfig``,
``redisBinding``), which the API server refuses for every custom resource.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.core.findings import Severity
from tools.validate import read_sources, validate

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT.parent / "shared" / "reference" / "examples"

pytestmark = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"{EXAMPLES} is absent (the real-manifest corpus)"
)


def test_only_upper_case_names_are_errors() -> None:
    report = validate(read_sources([str(EXAMPLES)]), chosen={"kubernetes"})
    assert all("internal error" not in f.message for f in report.findings)
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    assert {f.rule for f in errors} == {"kubernetes-name"}
    for finding in errors:
        assert finding.resource is not None
        name = finding.resource.name
        assert name != name.lower() and name.lower().replace("-", "").isalnum(), name
    assert len(errors) == 29
    assert [f for f in report.findings if f.severity is not Severity.ERROR] == []
