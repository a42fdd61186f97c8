"""A small Kubernetes REST client on urllib, for tests against the local API server.

Only what the tests need: discovery of a kind's resource path, create (optionally as a
server-side dry run), server-side apply, get, list and delete. Every call has a timeout and
reads at most ``MAX_BODY`` bytes. An answer from the API server, error or not, comes back as a
``Result`` holding the status code and the decoded body (for errors the ``Status`` object with
``message``, ``reason`` and ``details.causes``); only a failure to talk to the server at all
raises ``ClusterError``.
"""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.cluster.processes import ClusterError

# Largest response body read; a list of every object in a test cluster stays far below this.
MAX_BODY = 16 * 1024 * 1024

# Seconds allowed for one request (connect + answer).
DEFAULT_TIMEOUT_S = 30.0

FIELD_MANAGER = "todo-dapr-tests"


@dataclass(frozen=True)
class Result:
    """One answer of the API server: HTTP status, decoded JSON body and ``Warning`` headers."""

    status: int
    body: dict[str, Any]
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return 200 <= self.status < 300

    @property
    def message(self) -> str:
        """The ``message`` of a ``Status`` body ("" when there is none)."""
        value = self.body.get("message", "")
        return value if isinstance(value, str) else str(value)

    @property
    def reason(self) -> str:
        """The ``reason`` of a ``Status`` body, e.g. ``Forbidden``, ``Invalid``, ``NotFound``."""
        value = self.body.get("reason", "")
        return value if isinstance(value, str) else str(value)

    @property
    def causes(self) -> list[dict[str, Any]]:
        """``details.causes`` of a ``Status`` body: one entry per invalid field."""
        details = self.body.get("details")
        causes = details.get("causes") if isinstance(details, dict) else None
        return [c for c in causes if isinstance(c, dict)] if isinstance(causes, list) else []


@dataclass(frozen=True)
class Resource:
    """Where a kind lives: the collection path (``{namespace}`` left to fill in) and its scope."""

    path: str
    namespaced: bool


class UnknownKind(LookupError):
    """The server has no resource for this apiVersion and kind."""


class DiscoveryFailed(ClusterError):
    """The server refused a discovery request (401, 403, 5xx); ``result`` is its answer."""

    def __init__(self, message: str, result: Result) -> None:
        super().__init__(message)
        self.result = result


def _status(status: int, reason: str, message: str) -> dict[str, Any]:
    """A ``Status`` object made up on the client side, shaped like the server's."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "code": status,
        "reason": reason,
        "message": message,
    }


@dataclass
class KubeClient:
    """REST client for one API server, authenticated with a bearer token."""

    server: str
    token: str = field(repr=False)
    ca_file: Path
    timeout_s: float = DEFAULT_TIMEOUT_S
    _opener: urllib.request.OpenerDirector = field(init=False, repr=False)
    _discovery: dict[str, dict[str, Resource]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.server = self.server.rstrip("/")
        try:
            context = ssl.create_default_context(cafile=str(self.ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise ClusterError(
                f"cannot load the API server's CA certificate {self.ca_file}: {exc}"
            ) from exc
        # No proxy from the environment: the server is on 127.0.0.1.
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )
        self._discovery = {}

    # -- transport -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
        content_type: str = "application/json",
    ) -> Result:
        """Send one request; return the answer, whatever its status code."""
        status, raw, warnings = self._send(
            method, path, query=query, body=body, content_type=content_type
        )
        return Result(status, _decode(status, raw), warnings)

    def probe(self, path: str) -> tuple[int, str]:
        """GET a health or info endpoint (``/readyz``, ``/version``); return (status, text)."""
        status, raw, _ = self._send("GET", path, accept="*/*")
        return status, raw.decode("utf-8", "replace")

    def _send(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: bytes | None = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> tuple[int, bytes, tuple[str, ...]]:
        url = self.server + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Authorization": f"Bearer {self.token}", "Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self._opener.open(req, timeout=self.timeout_s) as resp:
                return resp.status, _read(resp, method, path), _warnings(resp.headers)
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, _read(exc, method, path), _warnings(exc.headers)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise ClusterError(
                f"{method} {url} failed: {reason}. Is the local API server still running? "
                "Its log is kube-apiserver.log in the run directory."
            ) from exc

    # -- discovery -------------------------------------------------------------------------

    def resource_for(self, api_version: str, kind: str) -> tuple[str, bool]:
        """(collection path template, namespaced) for a kind; raises ``UnknownKind``.

        The path template holds ``{namespace}`` for namespaced kinds. Discovery documents are
        cached per group version and fetched again once when a kind is missing, so kinds of a
        CRD created after the first look-up are found.
        """
        if not api_version or not kind:
            raise UnknownKind("the document has no apiVersion or no kind")
        for refresh in (False, True):
            resources = self._group_version(api_version, refresh=refresh)
            if kind in resources:
                found = resources[kind]
                return found.path, found.namespaced
        raise UnknownKind(f"the API server has no resource for kind {kind} in {api_version}")

    def forget_discovery(self) -> None:
        """Drop the cached discovery documents (after deleting CRDs, say)."""
        self._discovery.clear()

    def _group_version(self, api_version: str, *, refresh: bool) -> dict[str, Resource]:
        if not refresh and api_version in self._discovery:
            return self._discovery[api_version]
        base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
        answer = self.request("GET", base)
        kinds: dict[str, Resource] = {}
        if answer.ok:
            for item in answer.body.get("resources", []):
                name = item.get("name", "") if isinstance(item, dict) else ""
                if not name or "/" in name or "kind" not in item:
                    continue  # subresources such as pods/status
                namespaced = bool(item.get("namespaced"))
                path = f"{base}/namespaces/{{namespace}}/{name}" if namespaced else f"{base}/{name}"
                kinds.setdefault(item["kind"], Resource(path, namespaced))
        elif answer.status != 404:
            raise DiscoveryFailed(
                f"discovery of {api_version} failed with HTTP {answer.status}: {answer.message}",
                answer,
            )
        self._discovery[api_version] = kinds
        return kinds

    def _path(
        self, api_version: str, kind: str, namespace: str | None, name: str | None = None
    ) -> str | Result:
        """The URL path of a collection (or of one object, given ``name``); a ``Result`` to
        return as is when the kind is unknown or discovery was refused."""
        try:
            template, _ = self.resource_for(api_version, kind)
        except UnknownKind as exc:
            return Result(404, _status(404, "NotFound", str(exc)))
        except DiscoveryFailed as exc:
            return exc.result
        path = template.replace("{namespace}", _quote(namespace or "default"))
        return path if name is None else f"{path}/{_quote(name)}"

    # -- verbs -----------------------------------------------------------------------------

    def create(
        self,
        doc: Mapping[str, Any],
        *,
        namespace: str | None = None,
        dry_run: bool = False,
        field_validation: str = "Strict",
    ) -> Result:
        """POST ``doc``; with ``dry_run`` the server admits and validates it but stores nothing.

        ``namespace`` defaults to the document's ``metadata.namespace``, then ``default``.
        """
        path = self._path(_api_version(doc), _kind(doc), namespace or _namespace(doc))
        if isinstance(path, Result):
            return path
        query = {"fieldValidation": field_validation}
        if dry_run:
            query["dryRun"] = "All"
        return self.request("POST", path, query=query, body=json.dumps(doc).encode())

    def apply(
        self,
        doc: Mapping[str, Any],
        *,
        namespace: str | None = None,
        field_manager: str = FIELD_MANAGER,
        force: bool = False,
        dry_run: bool = False,
        field_validation: str = "Strict",
    ) -> Result:
        """Server-side apply of ``doc`` (PATCH ``application/apply-patch+yaml``)."""
        path = self._path(_api_version(doc), _kind(doc), namespace or _namespace(doc), _name(doc))
        if isinstance(path, Result):
            return path
        query = {"fieldManager": field_manager, "fieldValidation": field_validation}
        if force:
            query["force"] = "true"
        if dry_run:
            query["dryRun"] = "All"
        # JSON is YAML, so the document goes as JSON.
        return self.request(
            "PATCH",
            path,
            query=query,
            body=json.dumps(doc).encode(),
            content_type="application/apply-patch+yaml",
        )

    def get(
        self, api_version: str, kind: str, name: str, *, namespace: str | None = None
    ) -> Result:
        """GET one object."""
        path = self._path(api_version, kind, namespace, name)
        if isinstance(path, Result):
            return path
        return self.request("GET", path)

    def list(
        self,
        api_version: str,
        kind: str,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
    ) -> Result:
        """GET a collection; a namespaced kind is listed in ``namespace`` (``default`` if None)."""
        path = self._path(api_version, kind, namespace)
        if isinstance(path, Result):
            return path
        query = {"labelSelector": label_selector} if label_selector else None
        return self.request("GET", path, query=query)

    def delete(
        self,
        api_version: str,
        kind: str,
        name: str,
        *,
        namespace: str | None = None,
        dry_run: bool = False,
    ) -> Result:
        """DELETE one object (background propagation, as kubectl does)."""
        path = self._path(api_version, kind, namespace, name)
        if isinstance(path, Result):
            return path
        options: dict[str, Any] = {
            "kind": "DeleteOptions",
            "apiVersion": "v1",
            "propagationPolicy": "Background",
        }
        if dry_run:
            options["dryRun"] = ["All"]
        return self.request("DELETE", path, body=json.dumps(options).encode())


def _read(resp: Any, method: str, path: str) -> bytes:
    """Read the body, refusing more than MAX_BODY bytes."""
    try:
        data: bytes = resp.read(MAX_BODY + 1)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise ClusterError(f"{method} {path}: reading the answer failed: {exc}") from exc
    if len(data) > MAX_BODY:
        raise ClusterError(
            f"{method} {path}: the answer is larger than {MAX_BODY} bytes; narrow the request "
            "(a namespace or a label selector)"
        )
    return data


def _decode(status: int, raw: bytes) -> dict[str, Any]:
    """The JSON body as a dict; non-JSON answers become a Status holding the text."""
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        value = None
    if isinstance(value, dict):
        return value
    text = raw[:2000].decode("utf-8", "replace").strip()
    return _status(status, "" if 200 <= status < 300 else "Unknown", text)


def _warnings(headers: Any) -> tuple[str, ...]:
    """``Warning`` headers ("299 - text") as their texts."""
    values = headers.get_all("Warning") if headers is not None else None
    out = []
    for value in values or []:
        text = str(value)
        if text.startswith("299 - "):
            text = text[len("299 - ") :]
        out.append(text.strip().strip('"'))
    return tuple(out)


def _quote(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


def _metadata(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = doc.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _api_version(doc: Mapping[str, Any]) -> str:
    return str(doc.get("apiVersion", ""))


def _kind(doc: Mapping[str, Any]) -> str:
    return str(doc.get("kind", ""))


def _name(doc: Mapping[str, Any]) -> str:
    return str(_metadata(doc).get("name", ""))


def _namespace(doc: Mapping[str, Any]) -> str | None:
    value = _metadata(doc).get("namespace")
    return value if isinstance(value, str) and value else None
