"""Issue 21's smaller points: the version label, the cron binding's start-up probe, the consumer
group placeholders, Secret rotation and the oke profile's egress, each checked in the rendered
chart or its docs, and (with TODO_DAPR_DAPR_GIT_DIR) against the daprd source the docs cite."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from chartutil import CHART, metadata_items, render, render_profile
from upstream_git import DAPR_VARIABLE, git_dir, missing

README = (CHART / "README.md").read_text(encoding="utf-8")
SUPPORTED = ("1.16", "1.17", "1.18")


@pytest.mark.parametrize("major", [3, 4])
def test_version_label_is_the_targeted_dapr_release(major: int) -> None:
    """app.kubernetes.io/version says what the values target, not the chart's appVersion."""
    rendered = render_profile(major, "dapr116")
    assert rendered.documents
    versions = {
        d.doc["metadata"]["labels"]["app.kubernetes.io/version"] for d in rendered.documents
    }
    assert versions == {"1.16"}
    rendered = render(major, values={"daprVersion": "1.17"})
    assert rendered.returncode == 0, rendered.stderr
    versions = {
        d.doc["metadata"]["labels"]["app.kubernetes.io/version"] for d in rendered.documents
    }
    assert versions == {"1.17"}


@pytest.mark.parametrize("major", [3, 4])
def test_cron_binding_starts_without_the_options_probe(major: int) -> None:
    """direction: input makes daprd start the binding without asking the app (OPTIONS)."""
    components = render_profile(major, "dev").components()
    cron = next(c for c in components.values() if c["spec"]["type"] == "bindings.cron")
    assert metadata_items(cron)["direction"]["value"] == "input"
    refused = render(
        major, values={"scheduler": {"extraMetadata": [{"name": "direction", "value": "output"}]}}
    )
    assert refused.returncode != 0
    assert "extraMetadata" in refused.stderr


def _schema_property(*path: str) -> dict[str, Any]:
    node: dict[str, Any] = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    for key in path:
        node = node["properties"][key]
    return node


def test_consumer_group_placeholders_are_described_as_daprd_expands_them() -> None:
    description = _schema_property("pubsub", "kafka", "consumerGroup")["description"]
    assert "<namespace>.<app-id>" in description
    assert "{namespace} are expanded" not in description
    values = (CHART / "values.yaml").read_text(encoding="utf-8")
    comment = values.split("consumerGroup:", 1)[0].rsplit("# Empty: each app", 1)[1]
    assert "<namespace>.<app-id>" in comment
    assert "`{namespace}` with\n`<namespace>.<app-id>`" in README or (
        "`{namespace}` with `<namespace>.<app-id>`" in " ".join(README.split())
    )


def test_readme_says_rotated_secrets_need_a_restart() -> None:
    text = " ".join(README.split())
    assert "Rotating a Secret reaches a sidecar only when it restarts" in text
    assert "kubectl rollout restart" in text.split("Rotating a Secret", 1)[1][:1200]


def test_readme_says_what_the_cron_route_must_answer() -> None:
    text = " ".join(README.split())
    assert "The app need not answer `OPTIONS` on that route" in text
    assert "direction: input" in text


def test_oke_egress_is_narrowed_in_the_docs_and_the_profile() -> None:
    assert "### Narrowing egress on OKE" in README
    section = README.split("### Narrowing egress on OKE", 1)[1].split("\n## ", 1)[0]
    assert "apps.<id>.networkPolicy.extraEgress" in section
    profile = (CHART / "ci" / "oke-values.yaml").read_text(encoding="utf-8")
    before = profile.split("\n  extraEgress:", 1)[0].rsplit("\n  metrics:", 1)[1]
    assert "apps.<id>.networkPolicy.extraEgress" in before


# --- the daprd source the docs cite (needs a dapr/dapr clone with tags) ---------------------


def _show(tag: str, path: str) -> str:
    directory = git_dir(DAPR_VARIABLE)
    if not directory.exists():
        pytest.skip(missing(DAPR_VARIABLE, "dapr/dapr"))
    tags = subprocess.run(
        ["git", "--git-dir", str(directory), "tag", "--list", f"v{tag}.*"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    releases = [t for t in tags if "-" not in t]
    if not releases:
        pytest.skip(f"no v{tag}.* release tag in {directory}")
    latest = max(releases, key=lambda t: tuple(int(p) for p in t[1:].split(".")))
    return subprocess.run(
        ["git", "--git-dir", str(directory), "show", f"{latest}:{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize("release", SUPPORTED)
def test_daprd_expands_namespace_to_namespace_dot_app_id(release: str) -> None:
    source = _show(release, "pkg/runtime/meta/meta.go")
    assert '"{namespace}", m.namespace+"."+m.id' in source
    assert '"{appID}", m.id' in source


@pytest.mark.parametrize("release", SUPPORTED)
def test_daprd_skips_the_options_probe_for_an_input_direction(release: str) -> None:
    source = _show(release, "pkg/runtime/processor/binding/send.go")
    assert "isBindingOfExplicitDirection(ComponentTypeInput" in source
    assert "http.MethodOptions" in source
    assert "code/100 == 2 || code == http.StatusMethodNotAllowed" in source


@pytest.mark.parametrize("release", SUPPORTED)
def test_operator_watches_components_not_secrets(release: str) -> None:
    source = _show(release, "pkg/operator/api/api.go")
    assert "informer.New[componentsapi.Component]" in source
    assert "corev1.Secret" not in source
    components = _show(release, "pkg/operator/api/components.go")
    assert "func processComponentSecrets" in components
