"""The dapr rules over real manifests: Dapr's own test files, the quickstarts, the spec and the
chart's rendered profiles.

Every error the dapr rules raise on the corpus is listed below with the reason it is a true
positive. Warnings are expected there (metadata files omit some legacy aliases, and the corpus
uses types from other Dapr releases), but no rule may crash.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.chartutil import PROFILES, render_profile
from tools.core.findings import Finding, Severity
from tools.validate import Source, check, load_sources, read_sources, validate

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared"
EXAMPLES = SHARED / "reference" / "examples"
SPEC = SHARED / "spec" / "dapr-components-spec.md"

# (file suffix, rule, metadata name) -> why the error is right.
TRUE_POSITIVES: dict[tuple[str, str, str], str] = {
    (
        "state/postgresql/v1/components/docker/default/postgresqlstatestore.yaml",
        "dapr-unknown-metadata",
        "connMaxIdleTime",
    ): "state.postgresql reads connectionMaxIdleTime; connMaxIdleTime is dropped silently, so "
    "the idle-connection limit the test means to set never applies",
    (
        "config/secretstores/kubernetes/kubernetes-secrets.yaml",
        "dapr-unknown-metadata",
        "namespace",
    ): "the Kubernetes secret store reads defaultNamespace (and kubeconfigPath) only; a "
    "'namespace' item is ignored and the store uses the pod's namespace",
    (
        "vaultTokenAndTokenMountPath/neither/hashicorp-vault.yml",
        "dapr-required-metadata",
        "",
    ): "the certification test named 'neither' sets neither vaultToken nor "
    "vaultTokenMountPath, and vaultSecretStore.initVaultToken (secretstores/hashicorp/vault/"
    "vault.go) fails Init with 'token mount path and token not set': the test expects that",
    # components-contrib conformance configs build components directly, not through daprd's
    # registry; in daprd 1.18.3 these types do not exist.
    ("bindings/kitex/components/kitex.yaml", "dapr-unknown-type", ""): "daprd 1.18 does not "
    "compile bindings.kitex (cmd/daprd/components/bindings_kitex.go_disabled)",
    ("config/crypto/jwks/jwks.yaml", "dapr-unknown-type", ""): "daprd registers the JWKS "
    "provider as dapr.jwks (crypto_jwks.go), so the type is crypto.dapr.jwks",
    ("config/crypto/localstorage/localstorage.yml", "dapr-unknown-type", ""): "daprd registers "
    "it as dapr.localstorage (crypto_localstorage.go): crypto.dapr.localstorage",
}

needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"{EXAMPLES} is absent (the real-manifest corpus)"
)


def _run(sources: list[Source]) -> list[Finding]:
    loaded, _files = load_sources(sources)
    return check(loaded, chosen={"dapr"})


@pytest.fixture(scope="module")
def corpus() -> list[Finding]:
    return _run(read_sources([str(EXAMPLES)]))


def _metadata_name(finding: Finding) -> str:
    if finding.path in ("/spec/type", "/spec/metadata"):
        return ""
    match = re.match(r"^/spec/metadata/(\d+)/", finding.path)
    assert finding.resource is not None and match, finding
    return str(finding.resource.doc["spec"]["metadata"][int(match.group(1))]["name"])


@needs_examples
def test_no_rule_crashes(corpus: list[Finding]) -> None:
    assert corpus, "the dapr rules found nothing at all in the corpus"
    assert not [f for f in corpus if "internal error" in f.message]


@needs_examples
def test_every_error_is_a_listed_true_positive(corpus: list[Finding]) -> None:
    found = set()
    for finding in corpus:
        if finding.severity is not Severity.ERROR:
            continue
        key = next(
            (
                k
                for k in TRUE_POSITIVES
                if finding.file.endswith(k[0])
                and finding.rule == k[1]
                and _metadata_name(finding) == k[2]
            ),
            None,
        )
        assert key is not None, f"untriaged: {finding.file}: {finding.message}"
        found.add(key)
    assert found == set(TRUE_POSITIVES), "a triage entry no longer matches anything"


@needs_examples
def test_requirements_cite_the_code_and_unread_names_only_warn(corpus: list[Finding]) -> None:
    """Every type the corpus uses had its Init read, so each requirement names the Go
    function that refuses the missing value; unknown names on types not checked by hand
    stay warnings (code handing the whole map to a library is not followed)."""
    required = [f for f in corpus if f.rule == "dapr-required-metadata"]
    assert required and all(f.severity is Severity.ERROR for f in required)
    assert all(".go" in f.message or "requires" in f.message for f in required)
    unknown = {f.severity for f in corpus if f.rule == "dapr-unknown-metadata"}
    assert Severity.WARNING in unknown


@pytest.mark.skipif(not SPEC.is_file(), reason=f"{SPEC} is absent (the user's spec)")
def test_spec_yaml_as_one_stream() -> None:
    """The Kafka component and the scheduler break at runtime; the state store and the secret
    store do not (their problems are warnings of other categories)."""
    blocks = re.findall(r"```yaml\n(.*?)```", SPEC.read_text(encoding="utf-8"), re.DOTALL)
    stream = "---\n".join(b for b in blocks if "apiVersion:" in b)
    findings = _run([Source("spec.yaml", stream)])
    errors = sorted(
        (f.rule, f.resource.label(), f.path) for f in findings if f.is_error and f.resource
    )
    assert errors == [
        ("dapr-metadata-value", "Component/kafka-pubsub", "/spec/metadata/4/value"),
        ("dapr-unknown-category", "Component/scheduler", "/spec/type"),
        ("dapr-unknown-metadata", "Component/kafka-pubsub", "/spec/metadata/10/name"),
        ("dapr-unknown-metadata", "Component/kafka-pubsub", "/spec/metadata/9/name"),
    ]
    assert not [f for f in findings if f.resource and f.resource.name == "statestore"]


@pytest.mark.parametrize("profile", PROFILES)
def test_rendered_profiles_are_clean(profile: str) -> None:
    """No dapr finding of any severity on a profile's real Helm 4 render. (`python -m tools
    render` over every profile, with all rules, is tests/test_cli.py::test_render_every_profile.)
    """
    rendered = render_profile(4, profile)
    assert rendered.returncode == 0, rendered.stderr
    report = validate([Source(f"{profile}.yaml", rendered.stdout)], chosen={"dapr"})
    assert report.resources == len(rendered.documents)
    assert [(f.rule, f.template, f.path, f.message) for f in report.findings] == []
