"""reference-init-timeout: initTimeout against the Kafka dial timeout."""

from __future__ import annotations

from manifests import KAFKA_BROKERS, component
from rule_check import check

from tools.core.findings import Finding
from tools.rules.reference.init_timeout import RULE

KAFKA = component(KAFKA_BROKERS, scopes="backend")


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def with_spec(extra: str, meta: str = "") -> str:
    text = KAFKA.replace("  version: v1\n", f"  version: v1\n{extra}")
    return text.replace("scopes:", f"{meta}scopes:")


def test_default_init_timeout_is_shorter_than_default_dial_timeout() -> None:
    (finding,) = run(KAFKA)
    assert finding.path == "/spec"
    assert "default initTimeout (5s)" in finding.message and "(30s)" in finding.message


def test_explicit_short_init_timeout_points_at_it() -> None:
    (finding,) = run(with_spec('  initTimeout: "10s"\n'))
    assert finding.path == "/spec/initTimeout"


def test_long_enough_or_lower_dial_timeout_passes() -> None:
    assert run(with_spec('  initTimeout: "1m"\n')) == []
    assert run(with_spec('  initTimeout: "30s"\n')) == []
    assert run(with_spec("", '    - {name: dialTimeout, value: "3s"}\n')) == []
    assert run(with_spec('  initTimeout: "10s"\n', '    - {name: dialTimeout, value: "8"}\n')) == []


def test_dial_timeout_longer_than_init_timeout_warns() -> None:
    (finding,) = run(with_spec('  initTimeout: "1m"\n', "    - {name: dialTimeout, value: 2m}\n"))
    assert "(120s)" in finding.message


def test_other_types_are_not_checked() -> None:
    assert run(KAFKA.replace("pubsub.kafka", "pubsub.redis")) == []


def test_an_unparsable_timeout_is_left_to_dapr_init_timeout() -> None:
    assert run(with_spec('  initTimeout: "60"\n')) == []


def test_dial_timeout_counts_only_where_the_release_reads_it() -> None:
    # components-contrib reads dialTimeout from v1.18 on (common/component/kafka/metadata.go);
    # before, the client dials with its 30s default whatever the metadata says.
    text = with_spec('  initTimeout: "10s"\n', '    - {name: dialTimeout, value: "3s"}\n')
    for release, expected in (("1.18", 0), ("1.17", 1), ("1.16", 1)):
        found = check(RULE, text, release=release)
        assert len(found) == expected, release
        assert all("(30s)" in f.message for f in found)
