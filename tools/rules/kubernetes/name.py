"""`metadata.name` (or `metadata.generateName`) is not in the format the API server requires for
the kind.

The format depends on the kind:

- **lowercase RFC 1123 subdomain** (at most 253 characters of `a-z`, `0-9`, `-` and `.`, each
  dot-separated part starting and ending with a letter or digit): Dapr Component, Subscription,
  Configuration, Resiliency, HTTPEndpoint; every custom resource; ConfigMap, Secret,
  ServiceAccount, NetworkPolicy, Pod and most built-in kinds;
- **lowercase RFC 1123 label** (at most 63 characters of `a-z`, `0-9` and `-`, starting and ending
  with a letter or digit): Namespace;
- **RFC 1035 label** (as a Namespace, but starting with a letter): Service;
- **a path segment** (anything except `.`, `..`, `/` and `%`): Role, ClusterRole, RoleBinding,
  ClusterRoleBinding.

A `generateName` may end in `-`: the API server appends a random suffix to it.

## Why

`Kafka_PubSub` passes the CRD's OpenAPI schema (it only says "string"), but the API server runs
the name through Go validation before it stores anything.

## What happens in the cluster

`kubectl apply` (and `helm install`) fails with
`metadata.name: Invalid value: "Kafka_PubSub": a lowercase RFC 1123 subdomain must consist of …`.
Nothing in the same apply after it is created by Helm.

## How to fix

Use lower-case letters, digits and `-` (`kafka-pubsub`). Dapr apps refer to a component by this
name (`pubsubname`, `storeName`), so change those references too.

## Source

- k8s.io/apimachinery `pkg/api/validation/objectmeta.go` `ValidateObjectMetaAccessor` (name or
  generateName, each through the kind's `ValidateNameFunc`), `pkg/api/validation/generic.go`
  `NameIsDNSSubdomain`, `NameIsDNSLabel`, `NameIsDNS1035Label`, `maskTrailingDash`;
  `pkg/util/validation/validation.go` `IsDNS1123Subdomain`, `IsDNS1123Label`, `IsDNS1035Label`.
- k8s.io/apiextensions-apiserver `pkg/registry/customresource/validator.go`
  `customResourceValidator.Validate`: custom resources use `NameIsDNSSubdomain`.
- kubernetes `pkg/apis/core/validation/validation.go`: `ValidateServiceName =
  NameIsDNS1035Label` (the `RelaxedServiceNameValidation` gate is alpha and off in 1.34),
  `ValidateNamespaceName`, and `NameIsDNSSubdomain` for Pod, Secret, ConfigMap, ServiceAccount…;
  `pkg/apis/rbac/validation/validation.go` `minimalNameRequirements`
  (`path.IsValidPathSegmentName`).
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes import names as k8s_names
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._meta import describe, name_format


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    metadata = resource.metadata
    errors_of, what, go_function = name_format(resource)
    kind = resource.kind or "this kind"
    generate = metadata.get("generateName")
    if isinstance(generate, str) and generate:
        errors = errors_of(k8s_names.mask_trailing_dash(generate))
        if errors:
            yield RULE.finding(
                resource,
                f"metadata.generateName {k8s_names.shown(generate)} is refused by the API "
                f"server: a {kind} name must be {what} ({go_function}), and the generated "
                f"name would not be: {describe(errors)}",
                ("metadata", "generateName"),
            )
    name = metadata.get("name")
    if isinstance(name, str) and name:
        errors = errors_of(name)
        if errors:
            yield RULE.finding(
                resource,
                f"metadata.name {k8s_names.shown(name)} is refused by the API server: a "
                f"{kind} name must be {what} ({go_function}): {describe(errors)}",
                ("metadata", "name"),
            )


RULE = Rule(
    id="kubernetes-name",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="metadata.name is in the format the API server requires for the kind",
    check=check,
)
