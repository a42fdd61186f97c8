"""The one way out for text publish prints: known secrets removed, control characters escaped."""

from __future__ import annotations

from tools.core.terminal_text import visible_lines
from tools.publish.auth import Credentials


class Scrubber:
    """The one way out for text: known secrets removed, control characters escaped.

    Every message publish prints (usage errors, registry errors, helm's and the gate's output,
    the JSON error object) passes through one instance.
    """

    def __init__(self, credentials: Credentials | None = None) -> None:
        self.secrets: list[str] = []
        if credentials is not None:
            self.add(credentials)

    def add(self, credentials: Credentials | None) -> None:
        if credentials is None or not credentials.password:
            return
        for secret in (credentials.password, credentials.basic().removeprefix("Basic ")):
            if secret not in self.secrets:
                self.secrets.append(secret)
        self.secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        from tools.redaction.masking import redact_text

        for secret in self.secrets:
            text = text.replace(secret, "***")
        return visible_lines(redact_text(text))

    def line(self, text: str) -> str:
        """One output line: a newline in the text cannot start another."""
        return self(text).replace("\n", "\\n")
