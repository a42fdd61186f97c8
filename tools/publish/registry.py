"""A small OCI distribution client that publishes a chart without overwriting.

``publish`` uploads through this client, not through ``helm push`` (which pushes by tag and
moves an existing tag without a word): blobs go up with the distribution API (``HEAD`` to skip
blobs the registry has, ``POST`` an upload, ``PUT`` it with its digest), the manifest is put by
digest, and only then is the tag set and read back. The client also answers the questions asked
around that: is the registry reachable and are the credentials accepted (``GET /v2/``), what a
tag or digest points at, and what a blob holds.

Every exchange is bounded (:mod:`tools.publish.transport`): a response body is read up to a cap
chosen by what it is (:data:`SMALL_BODY` for pings, tokens and errors, :data:`MANIFEST_BODY` for
manifests, the declared size for a blob, whose digest is then checked), and one
:class:`Deadline` bounds the whole publish. Authentication is :mod:`tools.publish.auth`. Every
failure is a :class:`RegistryError` whose one-line message never contains a credential or a
token; JSON nested too deeply to parse is refused like any other bad answer.
"""

from __future__ import annotations

import http.client
import urllib.parse

from tools.publish.auth import Auth, Credentials
from tools.publish.bounds import Deadline, Retry
from tools.publish.oci import MANIFEST_TYPES, Descriptor, Manifest, load_json, sha256_digest
from tools.publish.transport import (
    REQUEST_TIMEOUT,
    SMALL_BODY,
    TRANSIENT_STATUS,
    Call,
    RegistryError,
    Response,
    Transport,
    origin,
    printable,
)

MANIFEST_BODY = 4 * 1024 * 1024
"""Cap for a manifest, the limit ``distribution`` itself enforces."""


class RegistryClient:
    """One registry host; ``repository`` arguments are paths like ``charts/todo-dapr``."""

    def __init__(
        self,
        host: str,
        *,
        plain_http: bool = False,
        credentials: Credentials | None = None,
        retry: Retry | None = None,
        timeout: float = REQUEST_TIMEOUT,
        deadline: Deadline | None = None,
    ) -> None:
        self.host = host
        self.base = f"{'http' if plain_http else 'https'}://{host}"
        self.retry = retry or Retry()
        self.deadline = deadline or Deadline(None)
        self.transport = Transport(host, self.base, self.retry, timeout, self.deadline)
        self.auth = Auth(self.transport, credentials)

    def request(
        self,
        method: str,
        path: str,
        *,
        accept: str | None = None,
        scope: str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        limit: int = SMALL_BODY,
        what: str = "the request",
        retry: bool = True,
    ) -> Response:
        """Send a request (``path`` on the registry, or a full URL on its origin), answering
        one auth challenge; transient failures are retried unless ``retry`` is off."""
        try:
            return self._request(
                method,
                path,
                accept=accept,
                scope=scope,
                body=body,
                content_type=content_type,
                limit=limit,
                what=what,
                retry=retry,
            )
        except (ValueError, RecursionError, http.client.HTTPException) as exc:
            raise RegistryError(
                f"registry {self.host} sent something this client cannot use during {what} "
                f"({exc.__class__.__name__}); refused"
            ) from None

    def _request(
        self,
        method: str,
        path: str,
        *,
        accept: str | None,
        scope: str | None,
        body: bytes | None,
        content_type: str | None,
        limit: int,
        what: str,
        retry: bool,
    ) -> Response:
        url = path if "://" in path else self.base + path
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        if content_type:
            headers["Content-Type"] = content_type
        if body is not None:
            headers["Content-Length"] = str(len(body))
        own = origin(url) == origin(self.base)
        auth = self.auth.authorization(scope) if own else None
        if auth:
            headers["Authorization"] = auth
        send = self.transport.with_retry if retry else self.transport.follow
        response = send(Call(method, url, dict(headers), body, limit, what))
        renewable = auth is not None and auth.startswith("Bearer ")
        if response.status == 401 and own and ("Authorization" not in headers or renewable):
            # No credentials sent yet, or a cached bearer token that has expired (tokens
            # live minutes; the gate between two requests can take longer): answer the
            # challenge once with fresh ones.
            self.auth.challenged(response.header("WWW-Authenticate"), renew=renewable)
            auth = self.auth.authorization(scope)
            if auth:
                headers["Authorization"] = auth
                response = send(Call(method, url, dict(headers), body, limit, what))
        return self._checked(response, scope, what, retry)

    def _checked(self, response: Response, scope: str | None, what: str, retry: bool) -> Response:
        if response.status == 401:
            raise RegistryError(self.auth.unauthorized(), status=401)
        if response.status == 403:
            raise RegistryError(
                f"registry {self.host} answered 403 forbidden to {what}: the account may not "
                f"{'push to' if scope and 'push' in scope else 'read'} this repository",
                status=403,
            )
        if response.status in TRANSIENT_STATUS:
            tries = f" (after {self.retry.attempts} attempts)" if retry else ""
            raise RegistryError(
                f"registry {self.host} answered {self._status(response)} to {what}{tries}",
                transient=True,
                status=response.status,
            )
        return response

    def _expect(self, response: Response, status: int, request: str) -> None:
        """Refuse any other status (a transient one was already raised, or retried, by
        ``_checked``); ``request`` says what was asked, e.g. ``"for blob sha256:..."``."""
        if response.status != status:
            raise RegistryError(
                f"registry {self.host} answered {self._status(response)} {request}",
                status=response.status,
            )

    def _status(self, response: Response) -> str:
        """``503 Service Unavailable``, with the registry's own error code and message."""
        words = f"{response.status} {http.client.responses.get(response.status, '')}".strip()
        try:
            errors = load_json(response.body).get("errors") or []
            first = errors[0]
            detail = f"{first.get('code', '')}: {first.get('message', '')}".strip(": ")
        except (ValueError, AttributeError, IndexError, TypeError, KeyError):
            detail = ""
        return f"{words} ({printable(detail)})" if detail else words

    # -- registry operations ---------------------------------------------------------------

    def ping(self) -> None:
        """Check the registry speaks the distribution API and accepts our credentials."""
        response = self.request("GET", "/v2/", what="GET /v2/")
        if response.status != 200:
            raise RegistryError(
                f"registry {self.host} answered {response.status} to GET /v2/: "
                "not an OCI registry API endpoint",
                status=response.status,
            )

    def manifest(self, repository: str, reference: str) -> Manifest | None:
        """The manifest a tag or digest points at, or None when the registry has none.

        Every manifest kind is accepted (see :data:`MANIFEST_TYPES`); only a 404 means absent.
        """
        response = self._manifest_response(repository, reference)
        if response is None:
            return None
        what = f"manifest {repository}:{reference}"
        try:
            data = load_json(response.body)
        except ValueError:
            raise RegistryError(f"registry {self.host} sent a {what} that is not JSON") from None
        if not isinstance(data, dict):
            raise RegistryError(f"registry {self.host} sent a malformed {what}")
        media_type = response.header("Content-Type") or str(data.get("mediaType", ""))
        return Manifest(digest=sha256_digest(response.body), media_type=media_type, data=data)

    def tagged(self, repository: str, tag: str) -> Manifest | None:
        """What the tag holds, or None only when the registry answers 404: any 200 is a taken
        tag, whatever its media type or body."""
        response = self._manifest_response(repository, tag)
        if response is None:
            return None
        try:
            data = load_json(response.body)
        except ValueError:
            data = None
        media_type = response.header("Content-Type")
        if isinstance(data, dict):
            media_type = media_type or str(data.get("mediaType", ""))
        return Manifest(
            digest=sha256_digest(response.body),
            media_type=media_type,
            data=data if isinstance(data, dict) else {},
        )

    def _manifest_response(self, repository: str, reference: str) -> Response | None:
        what = f"manifest {repository}:{reference}"
        response = self.request(
            "GET",
            f"/v2/{repository}/manifests/{urllib.parse.quote(reference, safe=':')}",
            accept=", ".join(MANIFEST_TYPES),
            scope=f"repository:{repository}:pull",
            limit=MANIFEST_BODY,
            what=what,
        )
        if response.status == 404:
            return None
        self._expect(response, 200, f"for {what}")
        digest = sha256_digest(response.body)
        header = response.header("Docker-Content-Digest")
        if header and header != digest:
            raise RegistryError(
                f"registry {self.host} sent manifest bytes for {repository}:{reference} "
                f"({digest}) that do not match its own digest header {printable(header)}"
            )
        if reference.startswith("sha256:") and reference != digest:
            raise RegistryError(
                f"registry {self.host} answered {what} with bytes whose digest is {digest}"
            )
        return response

    def blob(self, repository: str, digest: str, size: int) -> bytes:
        """A blob's bytes: at most the ``size`` its descriptor declares, digest-checked."""
        what = f"blob {digest}"
        response = self.request(
            "GET",
            f"/v2/{repository}/blobs/{digest}",
            scope=f"repository:{repository}:pull",
            limit=size,
            what=what,
        )
        self._expect(response, 200, f"for {what}")
        actual = sha256_digest(response.body)
        if actual != digest:
            raise RegistryError(f"registry {self.host} sent {what} with digest {actual}")
        return response.body

    def has_blob(self, repository: str, descriptor: Descriptor) -> bool:
        response = self.request(
            "HEAD",
            f"/v2/{repository}/blobs/{descriptor.digest}",
            scope=f"repository:{repository}:pull,push",
            what=f"HEAD blob {descriptor.digest}",
        )
        if response.status == 404:
            return False
        length = response.header("Content-Length")
        return response.status == 200 and (not length or length == str(descriptor.size))

    def upload_blob(self, repository: str, descriptor: Descriptor, data: bytes) -> None:
        """Upload one blob (monolithic ``POST`` + ``PUT``) unless the registry has it already.

        The pair is retried as a unit: an upload session cut halfway cannot be resumed, and a
        blob is content-addressed, so a new session with the same bytes is harmless.
        """
        scope = f"repository:{repository}:pull,push"
        for attempt in range(self.retry.attempts):
            if self.has_blob(repository, descriptor):
                return
            try:
                self._upload_once(repository, descriptor, data, scope)
                return
            except RegistryError as exc:
                if not exc.transient or attempt + 1 >= self.retry.attempts:
                    raise
            delay = self.retry.delay(attempt)
            if self.deadline.cap(delay) < delay:
                raise self.transport.timed_out(f"the upload of blob {descriptor.digest}")
            self.retry.sleep(delay)

    def _upload_once(
        self, repository: str, descriptor: Descriptor, data: bytes, scope: str
    ) -> None:
        what = f"the upload of blob {descriptor.digest}"
        started = self.request(
            "POST",
            f"/v2/{repository}/blobs/uploads/",
            scope=scope,
            body=b"",
            what=what,
            retry=False,
        )
        location = started.header("Location")
        if started.status != 202 or not location:
            raise RegistryError(
                f"registry {self.host} answered {self._status(started)} to {what} "
                "(expected 202 with a Location)",
                status=started.status,
            )
        target = self.transport.location(started.url, location, what)
        if origin(target) != origin(self.base):
            raise RegistryError(
                f"registry {self.host} sent {what} to another host "
                f"({printable(origin(target)[1])}); refused"
            )
        separator = "&" if urllib.parse.urlsplit(target).query else "?"
        url = f"{target}{separator}digest={urllib.parse.quote(descriptor.digest, safe='')}"
        done = self.request(
            "PUT",
            url,
            scope=scope,
            body=data,
            content_type="application/octet-stream",
            what=what,
            retry=False,
        )
        self._expect(done, 201, f"to {what}")

    def put_manifest(
        self, repository: str, reference: str, data: bytes, media_type: str, *, retry: bool = True
    ) -> str:
        """``PUT`` a manifest at a digest or tag; returns the digest the registry says it stored.

        A digest header that differs from the bytes we sent is refused: the registry stored
        something else.
        """
        what = f"PUT manifest {repository}:{reference}"
        response = self.request(
            "PUT",
            f"/v2/{repository}/manifests/{urllib.parse.quote(reference, safe=':')}",
            scope=f"repository:{repository}:pull,push",
            body=data,
            content_type=media_type,
            what=what,
            retry=retry,
        )
        self._expect(response, 201, f"to {what}")
        ours = sha256_digest(data)
        header = response.header("Docker-Content-Digest")
        if header and header != ours:
            raise RegistryError(
                f"registry {self.host} answered {what} ({ours}) saying it stored "
                f"{printable(header)}"
            )
        return ours
