"""Reading Dapr resources: metadata items, scopes, pub/sub names, which apps load what.

The security and reference rules share these helpers so that they agree on what a resource
means at runtime. Everything here tolerates malformed input (the schema rules report that):
a helper returns "nothing" rather than raising.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from tools.dapr.catalog import Catalog, load_catalog
from tools.dapr.component_spec import CatalogError
from tools.dapr.releases import key
from tools.secrets.text import embeds_credential, is_placeholder

if TYPE_CHECKING:
    from tools.core.resource import Resource
    from tools.core.resource_set import ResourceSet

DAPR_GROUP = "dapr.io"

# The value of every metadata item is stringified by daprd; these are what it treats as true.
TRUTHY = frozenset({"y", "yes", "true", "t", "on", "1"})

# keyPrefix values with a runtime meaning; any other value is a literal prefix.
KEY_PREFIX_STRATEGIES = frozenset({"appid", "name", "namespace", "none"})

# Name of the secret store every sidecar loads on Kubernetes unless the pod opts out.
BUILTIN_SECRET_STORE = "kubernetes"

# What daprd binds when it evaluates a subscription rule's match (pkg/runtime/subscription
# findMatchingRoute).
MATCH_VARIABLES = frozenset({"event"})

# The "<name>.<version>" keys of the gRPC endpoint table in dapr/dapr 1.18
# (pkg/api/grpc/endpoints.go); a gRPC rule naming anything else matches no method.
GRPC_APIS = frozenset(
    {
        "invoke.v1",
        "state.v1",
        "state.v1alpha1",
        "publish.v1",
        "publish.v1alpha1",
        "bindings.v1",
        "secrets.v1",
        "actors.v1",
        "actors.v1alpha1",
        "metadata.v1",
        "configuration.v1alpha1",
        "configuration.v1",
        "lock.v1alpha1",
        "unlock.v1alpha1",
        "subtlecrypto.v1alpha1",
        "crypto.v1alpha1",
        "workflows.v1alpha1",
        "workflows.v1beta1",
        "jobs.v1alpha1",
        "jobs.v1",
        "shutdown.v1",
        "subscribe.v1alpha1",
        "conversation.v1alpha1",
        "conversation.v1alpha2",
    }
)

# Entries of the table that older releases lack (pkg/api/grpc/endpoints.go of v1.16.19 and
# v1.17.13 against v1.18.3).
GRPC_SINCE = {"actors.v1alpha1": "1.18", "jobs.v1": "1.18"}


def grpc_apis(release: str) -> frozenset[str]:
    """The gRPC endpoint table keys of daprd ``release``."""
    return frozenset(a for a in GRPC_APIS if key(release) >= key(GRPC_SINCE.get(a, release)))


@dataclass(frozen=True)
class MetadataItem:
    """One ``spec.metadata`` entry of a Component: its index, name, value and secretKeyRef."""

    index: int
    name: str
    value: Any
    secret_ref: dict[str, Any] | None
    has_value: bool = True
    env_ref: str | None = None

    @property
    def text(self) -> str:
        """The value as daprd sees it (a string); empty when there is no value."""
        return stringify(self.value) if self.has_value else ""


def stringify(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def is_dapr(resource: Resource, kind: str | None = None) -> bool:
    return resource.group == DAPR_GROUP and (kind is None or resource.kind == kind)


def spec(resource: Resource) -> dict[str, Any]:
    value = resource.doc.get("spec")
    return value if isinstance(value, dict) else {}


def component_type(resource: Resource) -> str:
    value = spec(resource).get("type")
    return value if isinstance(value, str) else ""


def component_version(resource: Resource) -> str:
    value = spec(resource).get("version")
    return value if isinstance(value, str) else ""


def component_category(resource: Resource) -> str:
    """``pubsub`` for ``pubsub.kafka``; empty when the type has no dot."""
    type_ = component_type(resource)
    return type_.partition(".")[0] if "." in type_ else ""


# Read once per Resource (a loaded document is never changed): a dozen rules ask per Component.
_METADATA_ITEMS: WeakKeyDictionary[Resource, tuple[MetadataItem, ...]] = WeakKeyDictionary()
_LITERAL_SECRETS: WeakKeyDictionary[Resource, tuple[MetadataItem, ...]] = WeakKeyDictionary()


def metadata_items(resource: Resource) -> tuple[MetadataItem, ...]:
    """The Component's ``spec.metadata`` entries that have a string name, in order."""
    if (items := _METADATA_ITEMS.get(resource)) is None:
        items = _METADATA_ITEMS[resource] = _read_metadata_items(resource)
    return items


def _read_metadata_items(resource: Resource) -> tuple[MetadataItem, ...]:
    raw = spec(resource).get("metadata")
    if not isinstance(raw, list):
        return ()
    items: list[MetadataItem] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            continue
        name = entry.get("name")
        if not isinstance(name, str):
            continue
        ref = entry.get("secretKeyRef")
        env = entry.get("envRef")
        items.append(
            MetadataItem(
                index=index,
                name=name,
                value=entry.get("value"),
                secret_ref=ref if isinstance(ref, dict) else None,
                has_value="value" in entry,
                env_ref=env if isinstance(env, str) else None,
            )
        )
    return tuple(items)


def metadata_value(resource: Resource, name: str) -> MetadataItem | None:
    """The first metadata item called ``name`` (case-insensitively, as daprd decodes it)."""
    wanted = name.lower()
    for item in metadata_items(resource):
        if item.name.lower() == wanted:
            return item
    return None


def scopes(resource: Resource) -> list[str] | None:
    """Top-level ``scopes`` (app IDs); None when the field is absent or not a list."""
    raw = resource.doc.get("scopes")
    if not isinstance(raw, list):
        return None
    return [s for s in raw if isinstance(s, str)]


def loading_apps(resource: Resource) -> frozenset[str] | None:
    """App IDs whose sidecar loads this Component or Subscription; None means every app."""
    listed = scopes(resource)
    if not listed:
        return None
    return frozenset(listed)


def pubsub_name(subscription: Resource) -> str:
    value = spec(subscription).get("pubsubname")
    return value if isinstance(value, str) else ""


def subscription_topic(subscription: Resource) -> str:
    value = spec(subscription).get("topic")
    return value if isinstance(value, str) else ""


def secret_store_of(component: Resource) -> str:
    """``auth.secretStore`` of a Component; empty when unset."""
    auth = component.doc.get("auth")
    if isinstance(auth, dict):
        value = auth.get("secretStore")
        if isinstance(value, str):
            return value
    return ""


def parse_topic_scopes(text: str) -> dict[str, list[str]]:
    """Parse ``publishingScopes``/``subscriptionScopes``: ``app1=t1,t2;app2=;app3=t3``.

    Spaces are ignored, as daprd strips them. An app listed with nothing after ``=`` gets an
    empty list (no topics at all).
    """
    result: dict[str, list[str]] = {}
    for part in text.replace(" ", "").split(";"):
        if not part:
            continue
        app, sep, topics = part.partition("=")
        if not sep or not app:
            continue
        result.setdefault(app, []).extend(t for t in topics.split(",") if t)
    return result


def parse_topic_list(text: str) -> list[str]:
    """Parse ``allowedTopics``/``protectedTopics``: ``t1,t2``."""
    return [t for t in text.replace(" ", "").split(",") if t]


# --- which fields hold secrets ---------------------------------------------------------------

_SECRET_WORDS = frozenset(
    {"password", "passwd", "pwd", "secret", "token", "credential", "credentials", "passphrase"}
)
_SECRET_KEY_QUALIFIERS = frozenset(
    {
        "access",
        "account",
        "api",
        "app",
        "assertion",
        "auth",
        "client",
        "encryption",
        "master",
        "private",
        "sas",
        "secret",
        "shared",
        "signing",
        "storage",
        "subscription",
    }
)
_SECRET_NAMES = frozenset({"connectionstring", "connstring", "sastoken", "dsn"})


def name_words(name: str) -> tuple[str, ...]:
    """The lower-case words of a metadata, variable or key name (``DB_PASSWORD`` -> db,
    password)."""
    return _words(name)


def _words(name: str) -> tuple[str, ...]:
    """Split ``oidcClientAssertionKey`` / ``cfAPIToken`` / ``sasl_password`` into words;
    cached for names of a usual length, which recur in every Component of a type."""
    return _cached_split(name) if len(name) <= 128 else _split(name)


def _split(name: str) -> tuple[str, ...]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    # "HTTPSProxy" -> "HTTPS Proxy"; lookarounds only, so a long upper-case run costs linear time
    spaced = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", " ", spaced)
    return tuple(w.lower() for w in re.split(r"[\s_\-.]+", spaced) if w)


_cached_split = lru_cache(maxsize=4096)(_split)


def name_looks_sensitive(name: str) -> bool:
    """Guess from a metadata name alone whether its value is a secret."""
    words = _words(name)
    if not words:
        return False
    if "".join(words) in _SECRET_NAMES or "".join(words).endswith("connectionstring"):
        return True
    last = words[-1]
    if last in _SECRET_WORDS:
        return True
    return last == "key" and len(words) > 1 and words[-2] in _SECRET_KEY_QUALIFIERS


@cache
def _catalog() -> Catalog | None:
    """The component catalog; None when it cannot be read (the dapr rules report that)."""
    try:
        return load_catalog()
    except CatalogError:
        return None


@lru_cache(maxsize=4096)
def is_sensitive_field(type_: str, version: str, name: str) -> bool:
    """A field is sensitive if the catalog says so or its name says so.

    Both count: upstream metadata files leave some secrets unmarked (PostgreSQL ``password``,
    Kafka ``schemaRegistryAPISecret``), and unknown types have no catalog entry at all.
    """
    if name_looks_sensitive(name):
        return True
    catalog = _catalog()
    entry = catalog.lookup(type_, version) if catalog is not None else None
    field = entry.field(name) if entry is not None else None
    return field is not None and field.sensitive


_CONNECTION_WORDS = frozenset({"string", "url", "uri", "dsn", "host", "address"})
_KEY_FILE = re.compile(r"^[\w./~-]+\.(?:key|pem|crt|der|p12|pfx|json|jks)$", re.IGNORECASE)


def is_connection_field(name: str) -> bool:
    """A field that holds an address which may or may not embed a credential."""
    words = _words(name)
    return bool(words) and words[-1] in _CONNECTION_WORDS


def holds_literal_secret(name: str, text: str) -> bool:
    """Whether a literal value of a sensitive field really is a secret.

    A connection string or URL is a secret only when it embeds a credential
    (``user:pass@``, ``password=``, ``AccountKey=``...); a file name in a key field is a path.
    """
    if is_connection_field(name):
        return embeds_credential(text)
    stripped = text.strip()
    if _only_certificates(stripped):
        return False
    return not _KEY_FILE.match(stripped)


def _only_certificates(text: str) -> bool:
    """PEM certificates are public: a field marked sensitive may still hold one in the clear."""
    return text.startswith("-----BEGIN CERTIFICATE-----") and "PRIVATE KEY" not in text


def literal_secrets(resource: Resource) -> tuple[MetadataItem, ...]:
    """Metadata items of a Component that hold a sensitive field as a literal value (found once
    per Component: two rules and the redaction of findings ask)."""
    if not is_dapr(resource, "Component"):
        return ()
    if (found := _LITERAL_SECRETS.get(resource)) is None:
        found = _LITERAL_SECRETS[resource] = tuple(_find_literal_secrets(resource))
    return found


def _find_literal_secrets(resource: Resource) -> Iterator[MetadataItem]:
    type_, version = component_type(resource), component_version(resource)
    for item in metadata_items(resource):
        if item.secret_ref is not None or not item.has_value:
            continue
        text = item.text
        if not text.strip() or is_placeholder(text):
            continue
        if is_sensitive_field(type_, version, item.name) and holds_literal_secret(item.name, text):
            yield item


def describe_secret(text: str) -> str:
    """What a message may say about a secret value: its length, never its content."""
    return f'"****" ({len(text)} characters)'


# --- groups and apps -------------------------------------------------------------------------


def same_group(a: Resource, b: Resource) -> bool:
    """Same rendered profile and same namespace; a resource without a namespace goes wherever
    it is applied, so it is compared with every namespace of its profile."""
    if a.profile != b.profile:
        return False
    return a.namespace is None or b.namespace is None or a.namespace == b.namespace


def group_of(bundle: ResourceSet, resource: Resource) -> list[Resource]:
    """Resources of the bundle that can see ``resource`` at runtime (itself included), in
    document order (the resources that ``same_group`` pairs with it)."""
    key = ("group", resource.profile, resource.namespace)
    return bundle.memo(key, lambda: _group(bundle, resource.profile, resource.namespace))


def _group(bundle: ResourceSet, profile: str | None, namespace: str | None) -> list[Resource]:
    """Built from the resources indexed once by profile and namespace: scanning the whole
    bundle once per namespace was quadratic in the number of namespaces."""
    namespaces = bundle.memo("resources-by-namespace", lambda: _by_namespace(bundle))
    of_profile = namespaces.get(profile, {})
    if namespace is None:
        parts = list(of_profile.values())
    else:
        parts = [of_profile.get(namespace, []), of_profile.get(None, [])]
    return [r for _, r in heapq.merge(*parts, key=itemgetter(0))]


def _by_namespace(
    bundle: ResourceSet,
) -> dict[str | None, dict[str | None, list[tuple[int, Resource]]]]:
    """profile -> namespace -> (position in the bundle, resource)."""
    index: dict[str | None, dict[str | None, list[tuple[int, Resource]]]] = {}
    for position, r in enumerate(bundle.resources):
        index.setdefault(r.profile, {}).setdefault(r.namespace, []).append((position, r))
    return index


def find_component(bundle: ResourceSet, resource: Resource, name: str) -> list[Resource]:
    """Components called ``name`` in the group of ``resource``."""
    return [r for r in _components_by_name(bundle, resource).get(name, []) if r is not resource]


def _components_by_name(bundle: ResourceSet, resource: Resource) -> dict[str, list[Resource]]:
    """The group's Components indexed by name, built once per group (rules ask per resource)."""

    def build() -> dict[str, list[Resource]]:
        index: dict[str, list[Resource]] = {}
        for r in group_of(bundle, resource):
            if is_dapr(r, "Component"):
                index.setdefault(r.name, []).append(r)
        return index

    return bundle.memo(("components-by-name", resource.profile, resource.namespace), build)


@dataclass(frozen=True)
class AppsOf:
    """A set of app IDs, or every app (``every``) when a resource is not scoped."""

    apps: frozenset[str]
    every: bool

    @staticmethod
    def of(resource: Resource) -> AppsOf:
        listed = loading_apps(resource)
        return AppsOf(frozenset(), True) if listed is None else AppsOf(listed, False)

    def missing_from(self, other: AppsOf) -> AppsOf:
        """The apps here that ``other`` does not include."""
        if other.every:
            return AppsOf(frozenset(), False)
        if self.every:
            return AppsOf(frozenset(), True)
        return AppsOf(self.apps - other.apps, False)

    def __bool__(self) -> bool:
        return self.every or bool(self.apps)


_APP_ID_ANNOTATION = "dapr.io/app-id"


def known_app_ids(bundle: ResourceSet, resource: Resource) -> frozenset[str]:
    """App IDs the group mentions: Component/Subscription scopes, topic scopes, Configuration
    access-control policies, and ``dapr.io/app-id`` annotations on pod templates."""
    key = ("app-ids", resource.profile, resource.namespace)
    return bundle.memo(key, lambda: _collect_app_ids(bundle, resource))


def _collect_app_ids(bundle: ResourceSet, resource: Resource) -> frozenset[str]:
    found: set[str] = set()
    for other in group_of(bundle, resource):
        if is_dapr(other) and other.kind in {"Component", "Subscription"}:
            found.update(scopes(other) or ())
            if other.kind == "Component":
                for item in metadata_items(other):
                    if item.name.lower() in {"publishingscopes", "subscriptionscopes"}:
                        found.update(parse_topic_scopes(item.text))
        elif is_dapr(other, "Configuration"):
            policies = _dig(other.doc, ("spec", "accessControl", "policies"))
            for policy in policies if isinstance(policies, list) else ():
                if isinstance(policy, dict) and isinstance(policy.get("appId"), str):
                    found.add(policy["appId"])
        else:
            annotations = _dig(other.doc, ("spec", "template", "metadata", "annotations"))
            if isinstance(annotations, dict):
                app_id = annotations.get(_APP_ID_ANNOTATION)
                if isinstance(app_id, str):
                    found.add(app_id)
    return frozenset(found)


def _dig(doc: Any, path: Sequence[str]) -> Any:
    for part in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def dig(doc: Any, *path: str) -> Any:
    """``doc[path[0]][path[1]]...`` or None when any step is missing or not a mapping."""
    return _dig(doc, path)
