"""The real stack for the tests in this directory.

``nox -s cluster`` sets ``TODO_DAPR_CLUSTER=required``: the stack is built and started (or the
one `python -m tools cluster up` left running in build/cluster is reused), and a program that
cannot be built or started fails the run with its reason. Anywhere else (`nox -s test`) these
tests skip, saying how to run them: they start real servers and replay the rule tests, which
does not belong in the parallel unit-test run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.cluster import stack
from tools.cluster.kubeapi import KubeClient

ROOT = Path(__file__).resolve().parents[2]
PERSON_RUN_DIR = ROOT / stack.DEFAULT_RUN_DIR


def required() -> bool:
    return os.environ.get("TODO_DAPR_CLUSTER") == "required"


@pytest.fixture(scope="session")
def cluster() -> Iterator[stack.StackInfo]:
    if not required():
        pytest.skip(
            "the real-cluster tests run in `nox -s cluster` (needs Go 1.26.5+, Java 17 with "
            "Maven and PostgreSQL's server; builds etcd, kube-apiserver and daprd once)"
        )
    existing = stack.load(PERSON_RUN_DIR)
    if existing is not None:
        yield existing
        return
    with (
        tempfile.TemporaryDirectory(prefix="todo-dapr-cluster-") as scratch,
        stack.running_stack(Path(scratch) / "run") as info,
    ):
        yield info


@pytest.fixture(scope="session")
def recorded_rule_cases(cluster: stack.StackInfo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The texts the rule tests give their rules, recorded once for both parity tests."""
    del cluster  # only with a stack: `nox -s test` skips before recording anything
    from parity import record_rule_cases

    out = tmp_path_factory.mktemp("rule-cases")
    record_rule_cases(out)
    return out


@pytest.fixture(scope="session")
def kube(cluster: stack.StackInfo) -> KubeClient:
    return KubeClient(cluster.server, cluster.token, Path(cluster.ca_file))
