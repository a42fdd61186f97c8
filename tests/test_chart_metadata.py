"""Chart.yaml's Artifact Hub annotations: well-formed, and true to the chart they describe."""

from __future__ import annotations

import re
import tomllib
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from chartutil import CHART, ROOT, render

CHANGE_KINDS = {"added", "changed", "deprecated", "removed", "fixed", "security"}
# Artifact Hub's category list (artifacthub.io/category).
CATEGORIES = {
    "ai-machine-learning",
    "database",
    "integration-delivery",
    "monitoring-logging",
    "networking",
    "security",
    "storage",
    "streaming-messaging",
}


def chart() -> dict[str, Any]:
    data = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def annotation(name: str) -> Any:
    """An annotation whose value is itself YAML (links, changes, images), parsed."""
    raw = chart()["annotations"][f"artifacthub.io/{name}"]
    assert isinstance(raw, str), f"artifacthub.io/{name} must be a string holding YAML"
    return yaml.safe_load(raw)


def test_annotations_are_strings() -> None:
    """Kubernetes-style annotations: Helm refuses a non-string value at package time."""
    for key, value in chart()["annotations"].items():
        assert isinstance(value, str), f"{key} is {type(value).__name__}, not a string"


def test_license_matches_the_project() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert chart()["annotations"]["artifacthub.io/license"] == project["license"]


def test_category_is_one_artifact_hub_knows() -> None:
    assert chart()["annotations"]["artifacthub.io/category"] in CATEGORIES


@pytest.mark.parametrize("flag", ["operator", "prerelease", "containsSecurityUpdates"])
def test_flags_are_booleans_as_strings(flag: str) -> None:
    assert chart()["annotations"][f"artifacthub.io/{flag}"] in ("true", "false")


def test_links_are_named_https_urls() -> None:
    links = annotation("links")
    assert links, "no links"
    for link in links:
        assert set(link) == {"name", "url"}, link
        url = urlparse(link["url"])
        assert url.scheme == "https" and url.netloc, link


def test_changes_use_artifact_hub_kinds() -> None:
    changes = annotation("changes")
    assert changes, "no changes listed for this version"
    for change in changes:
        assert change["kind"] in CHANGE_KINDS, change
        assert change["description"].strip(), change


def test_changes_of_the_first_version_are_all_additions() -> None:
    """0.1.0 is the first published version: nothing was there before it to fix or change."""
    if chart()["version"] != "0.1.0":
        pytest.skip("only the first version's changes are all additions")
    assert {change["kind"] for change in annotation("changes")} == {"added"}


def test_icon_sources_and_maintainers() -> None:
    """Artifact Hub and `helm show chart` show these; ct lint checks the maintainers."""
    data = chart()
    for url in [data["icon"], *data["sources"]]:
        parsed = urlparse(url)
        assert parsed.scheme == "https" and parsed.netloc, url
    assert data["maintainers"], "no maintainers"
    for maintainer in data["maintainers"]:
        assert maintainer["name"].strip(), maintainer
        assert "email" not in maintainer, "a team, not a person's address"


def test_images_are_the_ones_the_chart_deploys() -> None:
    """The helm test pod is the only image; the annotation lists exactly what the pod pulls,
    tag and digest, so Artifact Hub's scan covers the image the chart was tested with."""
    listed = {entry["image"] for entry in annotation("images")}
    rendered = render(4, values={"tests": {"enabled": True}})
    assert rendered.returncode == 0, rendered.stderr
    pinned = {
        container["image"]
        for document in rendered.documents
        if document.kind == "Pod"
        for container in document.doc["spec"].get("containers", [])
    }
    assert pinned, "the helm test pod was not rendered"
    for image in pinned:
        assert re.fullmatch(r"[^@]+@sha256:[a-f0-9]{64}", image), image
    assert listed == pinned
    for image in listed:
        assert re.fullmatch(
            r"[a-z0-9./-]+:[A-Za-z0-9_][A-Za-z0-9_.-]*@sha256:[a-f0-9]{64}", image
        ), image
        assert ":latest@" not in image


def test_no_sign_key_on_an_unsigned_chart() -> None:
    """artifacthub.io/signKey claims a provenance file; the published chart is not signed."""
    assert "artifacthub.io/signKey" not in chart()["annotations"]


def test_chart_lints_with_the_annotations() -> None:
    from chartutil import lint

    code, output = lint(4, "dev")
    assert code == 0, output
