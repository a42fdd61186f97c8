"""A container image named by a release tag without a digest (`registry.example/app:1.4.2`),
in the init containers and containers of Pods and of every pod template, and in the
`dapr.io/sidecar-image` annotation of a Dapr pod. Images without a tag or tagged `latest` are
left to `security-image-tag`, so one image gets one finding.

## Why

A tag is a name that anyone with push rights on the repository can point at other content; a
digest (`@sha256:...`) is the hash of one image manifest, so it names that content and nothing
else. Kubernetes reads the two apart (pkg/util/parsers/parsers.go, `ParseImageName`) and keeps
the digest in the reference the node pulls.

## What happens at runtime

Nothing visible: the pod starts with whatever the tag points to when a node pulls it. If the
tag is pushed again (a rebuilt base image, a mistaken or malicious push), nodes that pull later
run different content under the same manifest, and nothing in the cluster says so. With a
digest, a moved tag changes nothing until the manifest changes.

## How to fix

Keep the tag for people and add the digest for the runtime:

```yaml
image: docker.io/curlimages/curl:8.11.1@sha256:<64 hex digits>
```

`crane digest IMAGE:TAG` or `docker buildx imagetools inspect IMAGE:TAG` prints the digest.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._field import brief
from tools.rules.kubernetes._pods import KINDS
from tools.rules.security._images import image_sites, parse_image


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    for site in image_sites(resource):
        ref = parse_image(site.image)
        if ref is None or ref.digest is not None or ref.tag is None or ref.tag == "latest":
            continue
        yield RULE.finding(
            resource,
            f"image '{brief(site.image)}' of {site.label} is pinned by tag only: whoever can push "
            f"'{brief(ref.tag, 40)}' again changes what new pods run, with no change to the "
            "manifest. Add its digest (name:tag@sha256:...)",
            site.path,
        )


RULE = Rule(
    id="security-image-digest",
    category="security",
    severity=Severity.WARNING,
    summary="container or daprd image pinned by a tag but not by digest",
    check=check,
    kinds=KINDS,
    modes="kubernetes",
)
