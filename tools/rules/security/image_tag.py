"""A container image with neither a tag nor a digest (`registry.example/app`), or with the tag
`latest` and no digest (`registry.example/app:latest`). Init containers and regular containers
of Pods and of every pod template are checked. On a Dapr pod (`dapr.io/enabled: "true"`), so is
the `dapr.io/sidecar-image` annotation, which replaces the injected `daprd` container's image.

A registry host with a port (`registry.example:5000/app`) is not a tag, and an image pinned by
digest (`app@sha256:...`, also `app:latest@sha256:...`) is never reported here: the digest
decides what runs.

## Why

Kubernetes reads the reference as the container runtime does (pkg/util/parsers/parsers.go,
`ParseImageName`): with no tag and no digest the tag is `latest`. When `imagePullPolicy` is
left out, the API server's defaulting (pkg/apis/core/v1/defaults.go, `SetDefaults_Container`)
makes it `Always` for the tag `latest`, and `IfNotPresent` for every other tag or a digest.

## What happens at runtime

`latest` names whatever was pushed last. With the defaulted `Always`, every container start
pulls the tag again: a reschedule or a restart can run a different build than its replicas,
a rollback to the "same" manifest does not bring the old image back, and a registry outage
stops pods from starting. With `IfNotPresent` written out, each node keeps the `latest` it
pulled first, so nodes run different builds side by side. Either way the manifest does not say
which code runs.

For `dapr.io/sidecar-image`, the daprd pull policy comes from the sidecar injector's
configuration, not from the tag, but the daprd version still drifts away from the control
plane's.

## How to fix

Name a release tag, and better, pin it by digest:

```yaml
containers:
  - name: app
    image: registry.example/app:1.4.2@sha256:<64 hex digits>
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._field import brief
from tools.rules.kubernetes._pods import KINDS
from tools.rules.security._images import DAPRD_LABEL, ImageSite, image_sites, parse_image


def _consequence(site: ImageSite) -> str:
    if site.label == DAPRD_LABEL:
        return (
            "daprd runs whatever build the tag points to when the pod is created, so sidecars "
            "drift apart and away from the control plane's version"
        )
    if site.pull_policy is None:
        return (
            "imagePullPolicy defaults to Always for it, so every container start pulls the tag "
            "again: replicas and restarts can run different builds, and a rollback does not "
            "bring the old image back"
        )
    if site.pull_policy == "IfNotPresent":
        return (
            "with imagePullPolicy IfNotPresent each node keeps the build it pulled first, so "
            "nodes run different builds under the same name"
        )
    return "the manifest does not say which build runs, so replicas and restarts can differ"


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    for site in image_sites(resource):
        ref = parse_image(site.image)
        if ref is None or ref.digest is not None:
            continue
        if ref.tag is None:
            what = f"image '{brief(site.image)}' of {site.label} has no tag, so it means ':latest'"
        elif ref.tag == "latest":
            what = f"image '{brief(site.image)}' of {site.label} uses the tag 'latest'"
        else:
            continue
        yield RULE.finding(
            resource,
            f"{what}: {_consequence(site)}. Name a release tag and pin it by digest "
            "(name:1.2.3@sha256:...)",
            site.path,
        )


RULE = Rule(
    id="security-image-tag",
    category="security",
    severity=Severity.WARNING,
    summary="container or daprd image without a tag, or tagged 'latest', and no digest",
    check=check,
    kinds=KINDS,
    modes="kubernetes",
)
