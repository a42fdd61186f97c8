"""The byte maps of Secrets and ConfigMaps: base64 as the API server decodes it, sizes, and the
redaction a Secret value is shown as."""

from __future__ import annotations

import binascii
from typing import Final

from tools.core.resource import Resource

MAX_SIZE: Final = 1024 * 1024  # MaxSecretSize (k8s.io/api core/v1), also the ConfigMap limit
REDACTED: Final = "<secret contents redacted>"
_BASE64: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def decode_base64(text: str) -> bytes | None:
    """Go's ``base64.StdEncoding`` as encoding/json uses it for ``[]byte``: padded, the standard
    alphabet, CR and LF ignored. None when Go would refuse the value."""
    raw = text.replace("\r", "").replace("\n", "").encode("utf-8", "surrogatepass")
    if len(raw) % 4 or not all(b in _BASE64 for b in raw):
        return None
    try:
        return binascii.a2b_base64(raw, strict_mode=True)
    except binascii.Error:
        return None


def is_core(resource: Resource, kind: str) -> bool:
    """Whether ``resource`` is the core (``v1``) ``kind``."""
    return resource.kind == kind and resource.api_version == "v1"
