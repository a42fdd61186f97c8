"""Mapping keys as the API server compares them once sigs.k8s.io/yaml has turned YAML into JSON.

Keys are strings there, so ``1`` and ``"1"`` are one key, and ``true`` is the key ``"true"``
(never Python's ``True == 1``).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

TAG_PREFIX = "tag:yaml.org,2002:"
STR_TAG = "tag:yaml.org,2002:str"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"

_SAFE = SafeConstructor()
SCALAR_CONSTRUCTORS: dict[str, Callable[[Any], Any]] = {
    "tag:yaml.org,2002:int": _SAFE.construct_yaml_int,
    "tag:yaml.org,2002:bool": _SAFE.construct_yaml_bool,
    "tag:yaml.org,2002:null": _SAFE.construct_yaml_null,
    "tag:yaml.org,2002:float": _SAFE.construct_yaml_float,
}


def key_identity(node: yaml.ScalarNode) -> object:
    """The key as the API server's JSON compares it (``1``, ``0x1`` and ``"1"`` are one key)."""
    if node.tag == STR_TAG:
        return node.value
    build = SCALAR_CONSTRUCTORS.get(node.tag)
    if build is None:
        return json_key(node.value, node) if node.tag == TIMESTAMP_TAG else (node.tag, node.value)
    try:
        return json_key(build(node), node)
    except Exception:  # a value its tag cannot build: the load reports it
        return (node.tag, node.value)


def json_key(key: Any, node: yaml.Node) -> Any:
    """A mapping key as sigs.k8s.io/yaml writes it into JSON: strings as they are, booleans
    ``true``/``false``, integers in decimal, floats as go-yaml formats a float32, and a
    timestamp as written (go-yaml v2 keeps its text). Anything else (null, binary) is not a
    key the API server can receive and stays as it is."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return _go_float32(key)
    if node.tag == TIMESTAMP_TAG and isinstance(node, yaml.ScalarNode):
        return node.value
    return key


_FLOAT32_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]


def _as_float32(value: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", value))[0])


def _go_float32(value: float) -> str:
    """``strconv.FormatFloat(value, 'g', -1, 32)``, with go-yaml's names for the infinities
    and NaN: the shortest decimal that reads back as the same float32."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value) or abs(value) > _FLOAT32_MAX:
        return ".inf" if value > 0 else "-.inf"
    single = _as_float32(value)
    if single == 0:
        return "-0" if math.copysign(1, single) < 0 else "0"
    for digits in range(1, 10):
        mantissa = f"{single:.{digits - 1}e}"
        if _as_float32(float(mantissa)) == single:
            break
    exponent = int(mantissa.partition("e")[2])
    significant = mantissa.partition("e")[0].lstrip("-").replace(".", "").rstrip("0") or "0"
    if exponent < -4 or exponent >= 6:
        return f"{single:.{len(significant) - 1}e}"
    return f"{single:.{max(len(significant) - exponent - 1, 0)}f}"
