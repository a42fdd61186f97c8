"""What the PostgreSQL rules (security-postgres-tls, dapr-postgres-connection-string) share:
which components read their connection through pgx, and the value of a Kubernetes Secret of the
input that a ``secretKeyRef`` names, looked up in one index per (profile, namespace)."""

from __future__ import annotations

import base64
import binascii

from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle

# components-contrib packages whose metadata embeds PostgresAuthMetadata and connect with pgx.
PGX_PACKAGES = frozenset(
    {"state/postgresql/v1", "state/postgresql/v2", "bindings/postgres", "configuration/postgres"}
)


def uses_pgx(resource: Resource, bundle: Bundle) -> bool:
    registration = bundle.dapr.registry.get(dapr_model.component_type(resource))
    if registration is None:
        return False
    version = registration.resolve(dapr_model.component_version(resource))
    return version is not None and registration.versions.get(version) in PGX_PACKAGES


def secret_value(
    resource: Resource, bundle: Bundle, ref: dict[str, object], limit: int
) -> tuple[str, str, str] | None:
    """(value, Secret name, key) of the Secret of the input that ``ref`` names, as the API
    server stores it (stringData wins over data, decoded from base64); None when it is out of
    sight: another secret store, no such Secret or key, or a value over ``limit`` characters."""
    name, key = ref.get("name"), ref.get("key")
    if not isinstance(name, str) or not isinstance(key, str) or not name:
        return None
    if dapr_model.secret_store_of(resource) not in ("", "kubernetes"):
        return None  # another secret store: not a Kubernetes Secret of this input
    key = key or name
    secret = _secrets(bundle, resource).get(name)
    if secret is None:
        return None
    string_data = secret.doc.get("stringData")
    if isinstance(string_data, dict) and isinstance(string_data.get(key), str):
        return str(string_data[key]), name, key
    data = secret.doc.get("data")
    encoded = data.get(key) if isinstance(data, dict) else None
    if not isinstance(encoded, str) or len(encoded) > limit * 4 // 3 + 4:
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded.decode("utf-8", errors="replace"), name, key


def _secrets(bundle: Bundle, resource: Resource) -> dict[str, Resource]:
    def build() -> dict[str, Resource]:
        found: dict[str, Resource] = {}
        for r in dapr_model.group_of(bundle, resource):
            if r.group == "" and r.kind == "Secret" and r.name:
                found.setdefault(r.name, r)
        return found

    return bundle.memo(("postgres-secrets", resource.profile, resource.namespace), build)
