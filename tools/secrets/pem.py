"""The structure Go's ``encoding/pem`` and the outer DER layer of ``crypto/x509`` expect of a
PEM document, checked without parsing keys or certificates (and without returning any of
their content, so nothing secret reaches a message)."""

from __future__ import annotations

import binascii
from dataclasses import dataclass

_BEGIN, _END, _DASHES = "-----BEGIN ", "-----END ", "-----"


@dataclass(frozen=True)
class PemBlock:
    label: str
    has_headers: bool
    der_ok: bool  # base64 decodes and holds exactly one DER SEQUENCE


def _der_sequence(data: bytes) -> bool:
    """Whether ``data`` is exactly one DER SEQUENCE (tag, length, content)."""
    if len(data) < 2 or data[0] != 0x30:
        return False
    first = data[1]
    if first < 0x80:
        return len(data) == 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(data) < 2 + count:
        return False
    length = int.from_bytes(data[2 : 2 + count], "big")
    return len(data) == 2 + count + length


def pem_blocks(text: str) -> list[PemBlock]:
    """The well-formed PEM blocks in ``text``, in order; malformed ones are left out, as
    Go's ``pem.Decode`` skips them."""
    blocks: list[PemBlock] = []
    lines = text.replace("\r\n", "\n").split("\n")
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not (line.startswith(_BEGIN) and line.endswith(_DASHES) and len(line) > 16):
            continue
        label = line[len(_BEGIN) : -len(_DASHES)]
        end = f"{_END}{label}{_DASHES}"
        body: list[str] = []
        headers = False
        closed = False
        while index < len(lines):
            current = lines[index].strip()
            index += 1
            if current == end:
                closed = True
                break
            if ":" in current:
                headers = True
            elif current:
                body.append(current)
        if not closed:
            break
        try:
            der = binascii.a2b_base64("".join(body).encode("ascii"), strict_mode=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            continue
        blocks.append(PemBlock(label, headers, _der_sequence(der)))
    return blocks


def certificate_problem(text: str) -> str | None:
    """Why ``text`` holds no certificate Go could load, or None."""
    certificates = [b for b in pem_blocks(text) if b.label == "CERTIFICATE"]
    if not certificates:
        return "holds no PEM block labelled CERTIFICATE"
    if not any(b.der_ok for b in certificates):
        return "has CERTIFICATE blocks whose content is not a DER certificate"
    return None


def private_key_problem(text: str) -> str | None:
    """Why ``text`` holds no private key block Go could load, or None."""
    keys = [
        b for b in pem_blocks(text) if b.label == "PRIVATE KEY" or b.label.endswith(" PRIVATE KEY")
    ]
    if not keys:
        return "holds no PEM block labelled PRIVATE KEY (or RSA/EC PRIVATE KEY)"
    if not keys[0].der_ok:
        return "has a PRIVATE KEY block whose content is not DER"
    return None
