"""Whether a document's apiVersion and kind can name a Kubernetes type at all: the schema rules
look a schema up only for an object that has both, well formed."""

from __future__ import annotations

import re
from functools import lru_cache

from tools.core.resource import Resource
from tools.kubernetes import names as k8s_names

_CORE_VERSION = re.compile(r"^v\d+(?:(?:alpha|beta)\d+)?$")
_GROUP_VERSION = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?/v\d+(?:(?:alpha|beta)\d+)?$")

# A stream names a handful of apiVersions and kinds, and every schema rule asks about each
# resource's: the answers are cached per string.
_CACHED = 1024


@lru_cache(maxsize=_CACHED)
def api_version_problem(api_version: str) -> str | None:
    """Why ``api_version`` cannot name any API group version, or None when it can.

    A group is a DNS subdomain (at most 253 characters) and a version a DNS label (at most 63,
    the CRD rule in apiextensions-apiserver ``validation.go``); the length is checked before any
    pattern runs, so a hostile value costs nothing.
    """
    group, _, version = api_version.rpartition("/")
    if len(group) > k8s_names.DNS1123_SUBDOMAIN_MAX or len(version) > k8s_names.DNS1035_LABEL_MAX:
        return (
            f"{k8s_names.shown(api_version)} is too long to name an API group version "
            "(group at most 253 characters, version at most 63)"
        )
    if _CORE_VERSION.match(api_version) or _GROUP_VERSION.match(api_version):
        return None
    return (
        f"{k8s_names.shown(api_version)} is not of the form <group>/<version> (e.g. "
        "dapr.io/v1alpha1) or a core version (v1)"
    )


@lru_cache(maxsize=_CACHED)
def kind_problem(kind: str) -> str | None:
    """Why ``kind`` cannot name any kind (a CRD kind is a DNS-1035 label once lower-cased)."""
    if not k8s_names.dns1035_label_errors(kind.lower()):
        return None
    return (
        f"{k8s_names.shown(kind)} cannot name a Kubernetes kind: a kind is at most 63 letters, "
        "digits or '-', starting with a letter (e.g. Component, NetworkPolicy)"
    )


def has_identity(resource: Resource) -> bool:
    """apiVersion and kind are present and well formed: only then are schemas looked up."""
    api_version, kind = resource.api_version, resource.kind
    return bool(
        api_version
        and kind
        and api_version_problem(api_version) is None
        and kind_problem(kind) is None
    )
