"""The GitHub workflows: valid against the workflow JSON Schema, and doing what the project needs.

The schema is SchemaStore's ``github-workflow.json`` as vendored by the check-jsonschema package.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
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


@pytest.mark.parametrize("name", ["ci.yaml", "release.yaml"])
def test_jobs_have_timeouts_and_actions_are_pinned(name: str) -> None:
    workflow = load(name)
    for job_name, job in workflow["jobs"].items():
        assert isinstance(job.get("timeout-minutes"), int), job_name
    for step in steps(workflow):
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d[\w.]*", step["uses"]), step["uses"]


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
