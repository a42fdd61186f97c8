"""dapr-metadata-case: canonical spelling; exact-key fields must match exactly."""

from __future__ import annotations

from manifests import component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.metadata_case import RULE

DOC = component('{name: NAME, value: "x"}', type_="TYPE", name="c")


def run(name: str, type_: str = "pubsub.kafka") -> list[Finding]:
    text = DOC.replace("NAME", name).replace("TYPE", type_)
    return check(RULE, text)


def test_non_canonical_case_is_info() -> None:
    # DecodeMetadata matches names case-insensitively: the value applies, only style differs.
    (finding,) = run("consumergroup")
    assert finding.severity is Severity.INFO
    assert finding.path == "/spec/metadata/0/name"
    assert '"consumerGroup"' in finding.message


def test_exact_key_fields_are_errors() -> None:
    (finding,) = run("initialoffset")
    assert finding.severity is Severity.ERROR
    assert "default applies" in finding.message and '"initialOffset"' in finding.message
    (route,) = run("Route", type_="bindings.cron")
    assert route.severity is Severity.ERROR
    # pubsub/rabbitmq metadata.go reads the deprecated "host" with a plain map lookup.
    (host,) = run("Host", type_="pubsub.rabbitmq")
    assert host.severity is Severity.ERROR


def test_retry_keys_need_the_exact_backoff_prefix() -> None:
    # dapr/kit config.PrefixedBy cuts the prefix with strings.CutPrefix (case-sensitive).
    (finding,) = run("backoffMaxRetries")
    assert finding.severity is Severity.ERROR and '"backOff"' in finding.message
    assert run("backOffmaxretries") == []  # the rest is matched case-insensitively


def test_canonical_names_and_aliases_pass() -> None:
    assert run("initialOffset") == []
    assert run("clientId") == []  # documented alias of clientID
    assert run("clientID") == []
    assert run("notAField") == []  # the unknown-metadata rule reports it
