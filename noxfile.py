"""CI entry points. `nox` alone runs lint, render and test (DESIGN §1)."""

from __future__ import annotations

import os

import nox

nox.options.sessions = ["lint", "render", "test"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, mypy --strict on tools/, helm lint --strict per profile, yamllint, docs freshness."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "tools")
    session.run("python", "-m", "tools", "lint")
    session.run("python", "-m", "tools", "schemas", "values", "--check")
    session.run("python", "-m", "tools", "docs", "--check")


@nox.session
def render(session: nox.Session) -> None:
    """Render every profile with helm and validate the output (writes build/rendered/)."""
    session.install("-e", ".")
    session.run("python", "-m", "tools", "render", *session.posargs)


@nox.session
def test(session: nox.Session) -> None:
    """The pytest suite: real helm 3 and 4, a real OCI registry when docker-registry exists.

    One worker per core; `nox -s test -- -n0` runs it in one process (a later -n wins).
    """
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-n", "auto", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Values fuzzing from values.schema.json: 10,000 examples (TODO_DAPR_FUZZ_EXAMPLES), Helm 4."""
    session.install("-e", ".[test]", "hypothesis-jsonschema>=0.23")
    examples = os.environ.get("TODO_DAPR_FUZZ_EXAMPLES") or "10000"
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/test_values_fuzz.py",
        "-p",
        "no:cacheprovider",
        # one worker per core; -rP prints each property's outcome counts at the end
        "-n",
        "auto",
        "-rP",
        *session.posargs,
        env={"TODO_DAPR_FUZZ_EXAMPLES": examples},
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Throughput, render time and start-up, as ratios measured side by side in one run."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "bench", *session.posargs)


@nox.session
def publish(session: nox.Session) -> None:
    """Publish the chart: `nox -s publish -- --registry oci://HOST/PATH [...]`."""
    session.install("-e", ".[lint]")
    session.run("python", "-m", "tools", "publish", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Regenerate values.schema.json's generated parts, the values table and docs/rules.md."""
    session.install("-e", ".")
    session.run("python", "-m", "tools", "schemas", "values")
    session.run("python", "-m", "tools", "docs")
