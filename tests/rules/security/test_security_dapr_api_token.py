"""security-dapr-api-token: daprd's API beyond loopback without a token; profiling there."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Severity
from tools.rules.security.dapr_api_token import RULE

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: todo-api, namespace: todo}}
spec:
  selector: {{matchLabels: {{app: todo-api}}}}
  template:
    metadata:
      labels: {{app: todo-api}}
      annotations:
        dapr.io/enabled: "true"
        dapr.io/app-id: todo-api
{annotations}
    spec:
      containers: [{{name: app, image: "registry.example/app:1.0"}}]
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: todo
  annotations:
{annotations}
spec:
  containers: [{{name: app, image: "registry.example/app:1.0"}}]
"""

LISTEN_PATH = "/spec/template/metadata/annotations/dapr.io~1sidecar-listen-addresses"
PROFILING_PATH = "/spec/template/metadata/annotations/dapr.io~1enable-profiling"


def run(annotations: str, release: str | None = None) -> list[tuple[str, Severity, str]]:
    text = DEPLOYMENT.format(annotations=annotations)
    return [(f.rule, f.severity, f.path) for f in check(RULE, text, release=release)]


def listen(value: str) -> str:
    return f'        dapr.io/sidecar-listen-addresses: "{value}"'


def test_every_non_loopback_address_without_token_is_an_error() -> None:
    for value in ("0.0.0.0", "[::]", "[::1],0.0.0.0", "10.0.0.7", "", "127.0.0.1,", "my-host"):
        assert run(listen(value)) == [("security-dapr-api-token", Severity.ERROR, LISTEN_PATH)], (
            value
        )


def test_the_message_names_the_addresses_and_the_fix() -> None:
    [finding] = check(RULE, DEPLOYMENT.format(annotations=listen("127.0.0.1,0.0.0.0")))
    assert "listen on 0.0.0.0," in finding.message
    assert "127.0.0.1," not in finding.message.split("listen on")[1].split("reachable")[0]
    assert "dapr.io/api-token-secret" in finding.message
    [finding] = check(RULE, DEPLOYMENT.format(annotations=listen("")))
    assert 'listen on "",' in finding.message


def test_loopback_and_default_addresses_pass() -> None:
    assert run("") == []
    for value in ("[::1],127.0.0.1", "127.0.0.1", "localhost", "127.0.0.2", "[::1]"):
        assert run(listen(value)) == [], value


def test_addresses_daprd_cannot_bind_are_not_exposure() -> None:
    # daprd appends ":port": unbracketed IPv6 and padded entries fail to bind.
    assert run(listen("::")) == []
    assert run(listen("127.0.0.1, 0.0.0.0")) == []


def test_a_token_closes_the_api() -> None:
    secret = '        dapr.io/api-token-secret: "todo-dapr-api-token"'
    assert run(listen("0.0.0.0") + "\n" + secret) == []
    env_secret = '        dapr.io/env-from-secret: "A=s1:k, DAPR_API_TOKEN=tok:token"'
    assert run(listen("0.0.0.0") + "\n" + env_secret) == []
    env = '        dapr.io/env: "GOMAXPROCS=2,DAPR_API_TOKEN=abc"'
    assert run(listen("0.0.0.0") + "\n" + env) == []


def test_an_empty_token_does_not() -> None:
    empty_secret = '        dapr.io/api-token-secret: ""'
    assert run(listen("0.0.0.0") + "\n" + empty_secret) == [
        ("security-dapr-api-token", Severity.ERROR, LISTEN_PATH)
    ]
    empty_env = '        dapr.io/env: "DAPR_API_TOKEN="'
    assert run(listen("0.0.0.0") + "\n" + empty_env) == [
        ("security-dapr-api-token", Severity.ERROR, LISTEN_PATH)
    ]


def test_a_unix_socket_takes_the_api_off_tcp() -> None:
    socket = '        dapr.io/unix-domain-socket-path: "/tmp/dapr"'
    assert run(listen("0.0.0.0") + "\n" + socket) == []


def test_profiling_beyond_loopback_is_a_warning_even_with_a_token() -> None:
    secret = '        dapr.io/api-token-secret: "todo-dapr-api-token"'
    profiling = '        dapr.io/enable-profiling: "true"'
    assert run(listen("0.0.0.0") + "\n" + secret + "\n" + profiling) == [
        ("security-dapr-api-token", Severity.WARNING, PROFILING_PATH)
    ]
    assert run(listen("0.0.0.0") + "\n" + profiling) == [
        ("security-dapr-api-token", Severity.ERROR, LISTEN_PATH),
        ("security-dapr-api-token", Severity.WARNING, PROFILING_PATH),
    ]
    assert run(listen("127.0.0.1") + "\n" + profiling) == []
    assert (
        run(listen("0.0.0.0") + "\n" + secret + '\n        dapr.io/enable-profiling: "false"') == []
    )


def test_pods_the_injector_does_not_patch_pass() -> None:
    text = DEPLOYMENT.format(annotations=listen("0.0.0.0")).replace(
        'dapr.io/enabled: "true"', 'dapr.io/enabled: "false"'
    )
    assert check(RULE, text) == []
    text = DEPLOYMENT.format(annotations=listen("0.0.0.0")).replace(
        '[{name: app, image: "registry.example/app:1.0"}]',
        '[{name: app, image: "a:1"}, {name: daprd, image: "d:1"}]',
    )
    assert check(RULE, text) == []


def test_enabled_yes_depends_on_the_release() -> None:
    annotations = listen("0.0.0.0")
    text = DEPLOYMENT.format(annotations=annotations).replace('"true"', '"yes"', 1)
    assert [f.severity for f in check(RULE, text, release="1.16")] == [Severity.ERROR]
    assert check(RULE, text, release="1.17") == []
    assert check(RULE, text, release="1.18") == []
    upper = DEPLOYMENT.format(annotations=annotations).replace('"true"', '"TRUE"', 1)
    assert [f.severity for f in check(RULE, upper, release="1.18")] == [Severity.ERROR]


def test_a_bare_pod_reports_at_its_own_metadata() -> None:
    text = POD.format(
        annotations='    dapr.io/enabled: "true"\n    dapr.io/sidecar-listen-addresses: "[::]"'
    )
    [finding] = check(RULE, text)
    assert finding.path == "/metadata/annotations/dapr.io~1sidecar-listen-addresses"


def test_hostile_shapes_do_not_crash() -> None:
    text = POD.format(annotations="    dapr.io/enabled: true\n    x: y")
    assert check(RULE, text) == []
    text = POD.format(
        annotations='    dapr.io/enabled: "true"\n    dapr.io/sidecar-listen-addresses: [0.0.0.0]'
    )
    assert check(RULE, text) == []
    text = POD.format(annotations="    {}").replace("  annotations:\n    {}", "  annotations: [a]")
    assert check(RULE, text) == []
    assert check(RULE, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: 3\n") == []
