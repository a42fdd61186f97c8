"""Well-known credential formats: found where they stand alone, not inside longer words."""

from __future__ import annotations

import pytest

from tools.redaction.masking import redact_text
from tools.secrets.text import find_secrets_in_text
from tools.secrets.token_formats import find_tokens

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"


@pytest.mark.parametrize(
    ("text", "kind", "token"),
    [
        ("AKIAIOSFODNN7EXAMPLE", "an AWS access key ID", "AKIAIOSFODNN7EXAMPLE"),
        ("id=ASIAY34FZKBOKMUTVV7A;", "an AWS access key ID", "ASIAY34FZKBOKMUTVV7A"),
        ("token: ghs_" + "a1B2c3" * 6, "a GitHub token", "ghs_" + "a1B2c3" * 6),
        (
            "github_pat_" + "A" * 22 + "_" + "b" * 59,
            "a GitHub token",
            "github_pat_" + "A" * 22 + "_" + "b" * 59,
        ),
        ("xoxp-1234567890-abcdEFGH", "a Slack token", "xoxp-1234567890-abcdEFGH"),
        ("key=AIza" + "x" * 35, "a Google API key", "AIza" + "x" * 35),
        ("sk_live_" + "a" * 24, "a Stripe secret key", "sk_live_" + "a" * 24),
        ("Authorization: Bearer " + JWT, "a JSON Web Token", JWT),
    ],
)
def test_documented_formats_are_found_and_redacted(text: str, kind: str, token: str) -> None:
    assert (kind, token) in list(find_secrets_in_text(text))
    assert token not in redact_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "notification-service-dead-letter-topic-handler",
        "a" * 253,
        "sha256:" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "XAKIAIOSFODNN7EXAMPLE",  # inside a longer word
        "AKIAIOSFODNN7EXAMPLE2",
        "AKIA-short",
        "ghp_tooShort",
        "sk_live_short",
        "xoxb-short",
        "eyJhbGciOiJIUzI1NiJ9",  # a header alone
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.",  # no signature
        "AAeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r",
    ],
)
def test_ordinary_values_are_not_tokens(text: str) -> None:
    assert list(find_tokens(text)) == []


def test_a_known_token_is_not_also_reported_as_high_entropy() -> None:
    kinds = [kind for kind, _ in find_secrets_in_text("x " + JWT + " y")]
    assert kinds == ["a JSON Web Token"]
