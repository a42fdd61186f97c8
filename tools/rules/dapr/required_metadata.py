"""A field the component needs is missing, or empty: its `Init` returns an error without it.

## Where the requirements come from

The component's Go code, read by `python -m tools schemas import-metadata-reads`
(`schemas/dapr-components/metadata_reads.json`): from the `Init` daprd calls, every check that
runs on each start and returns an error when a value is empty (`if m.URL == "" { return
errors.New("missing url") }`), followed into the functions it calls. The message names the
file, line and function, and quotes the error. Checks joined by `&&`, or an `else if` after a
test that a value is set, need only one of their fields: Vault needs `vaultToken` or
`vaultTokenMountPath` (`vaultSecretStore.initVaultToken`), Service Bus `connectionString` or
`namespaceName`. Checks that run only under another condition are not requirements.

So requirements that a metadata.yaml states but no code checks are not reported (Redis
`redisHost`: an empty host connects to the default address; GCP Pub/Sub's service-account
fields: application default credentials apply), and ones it omits are (`bindings.mqtt3` needs
`consumerID`; daprd fills `consumerID` in only for pub/subs, so `pubsub.mqtt3` does not).

For the types checked by hand against the code (`pubsub.kafka`, `state.postgresql`,
`bindings.cron`, `secretstores.kubernetes`) the catalog states what is required, including the
fields an authentication profile requires once it is selected: Kafka `authType: password` needs
`saslUsername` and `saslPassword`; `authType: oidc` needs the OIDC endpoint, client ID and
secret. For a type whose `Init` the importer could not find, only its metadata.yaml says what is
required, and the finding says so.

Some fields are used only together: the code applies them inside `if a != "" && b != ""` and
nowhere else, so one given alone has no effect (a silent change, so an error). RocketMQ's
`accessKey`/`secretKey` (`rocketMQ.setUpConsumer`), Cassandra's and MongoDB's
`username`/`password`, the HTTP binding's `securityToken`/`securityTokenHeader`. The importer
records a pair only when every use of each field is inside such an `if`.

## Severity

- **error** when the component's `Init` refuses the missing value (read in its code), or for
  the types checked by hand: the sidecar exits.
- **warning** when only the metadata.yaml marks the field required (the code was not read).

## Why

A field counts as given when it has a non-empty value, a `secretKeyRef` or an `envRef`.
Aliases count (`url` for PostgreSQL `connectionString`), and so do legacy fields that stand in
for a newer one (Kafka `authRequired` for `authType`). When several profiles share a selector
(the four AWS profiles of `authType: awsiam`), only what they all require is required.

The component code adds requirements its metadata.yaml does not state. Kafka (`pubsub.kafka`,
`bindings.kafka`) with `authType: awsiam` needs a region in every AWS profile:
`Kafka.ValidateAWS` (components-contrib `common/component/kafka/kafka.go`, the same in the
contrib releases Dapr 1.16, 1.17 and 1.18 pin) takes the first non-empty of the keys `region`
and `awsRegion` (the older name, which the metadata.yaml says to replace with `region`), looked
up exactly as written, and without one `Init` fails with "failed to validate AWS IAM
authentication fields: metadata property AWSRegion is missing".

A binding whose `direction` refuses every side it is registered for is never initialised
(`binding.Init` in `pkg/runtime/processor/binding/binding.go` skips each side
`isBindingOfDirection` refuses before the component's `Init` runs), so nothing is required of
it: a `bindings.cron` with `direction: output` and no `schedule` loads without an error and
never fires, which `dapr-binding-direction` reports.

## Dapr releases

What is required is judged against the metadata.yaml of the chosen Dapr release
(`--dapr-version`; per-release records in `schemas/releases.json`, `component_specs`). With
`authType: oidc_private_key_jwt`, Kafka on 1.17 and 1.18 also requires
`oidcClientAssertionCert` and `oidcClientAssertionKey`; 1.16 has no such profile (and refuses
the value, see `dapr-metadata-value`).

## What happens at runtime

The component fails to initialise (`missing 'brokers' attribute`, `'authType' attribute was
missing or empty`, `missing connection string`, `metadata property AWSRegion is missing`), or
authentication fails when it connects.
With `ignoreErrors` unset the sidecar exits.

## How to fix

Add the field; take credentials from a Secret with `secretKeyRef`. For types other than the
verified ones (`pubsub.kafka`, `state.postgresql`, `bindings.cron`,
`secretstores.kubernetes`) the upstream metadata sometimes marks either/or fields as both
required, so check the component documentation before adding a field you do not need.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.binding_sides import never_initialised
from tools.dapr.code_reads import CodeRequirement, PackageReads, reads_for
from tools.dapr.component_spec import ComponentSpec, FieldSpec
from tools.dapr.metadata_values import is_templated
from tools.rules import Bundle, Rule


def _given(resource: Resource) -> tuple[set[str], dict[str, str]]:
    """Names (lower-cased) that carry something, and the literal values usable as selectors."""
    present: set[str] = set()
    literal: dict[str, str] = {}
    for item in dm.metadata_items(resource):
        key = item.name.lower()
        if item.secret_ref is not None or item.env_ref is not None:
            present.add(key)
        elif item.has_value and (item.text.strip() or is_templated(item.text)):
            present.add(key)
            literal.setdefault(key, item.text.strip())
    return present, literal


def _has(field: FieldSpec, present: set[str]) -> bool:
    names = {s.lower() for s in field.spellings} | {s.lower() for s in field.required_unless}
    return bool(names & present)


def _profile_requirements(
    spec: ComponentSpec, literal: dict[str, str]
) -> tuple[str, list[FieldSpec]]:
    """Fields every profile picked by the given selector values requires."""
    chosen = spec.profiles_selected_by(literal)
    if not chosen:
        return "", []
    selectors = {k for p in chosen for k in p.selectors}
    common = set.intersection(*({f.name.lower() for f in p.required_fields()} for p in chosen))
    fields = [chosen[0].fields[k] for k in sorted(common) if k not in selectors]
    reason = ", ".join(f'{chosen[0].fields[k].name}: "{literal[k]}"' for k in sorted(selectors))
    return reason, fields


@dataclass(frozen=True)
class _CodeNeed:
    """A field the component code requires once a selector has a value (read in the code)."""

    types: frozenset[str]
    selector: str  # metadata name, matched ignoring case, as is its value
    value: str
    keys: tuple[str, ...]  # the keys the code looks up, exactly as spelt, preferred first
    where: str
    failure: str


_CODE_NEEDS = (
    _CodeNeed(
        types=frozenset({"pubsub.kafka", "bindings.kafka"}),
        selector="authType",
        value="awsiam",
        keys=("region", "awsRegion"),
        where="Kafka.ValidateAWS (contrib common/component/kafka/kafka.go)",
        failure="failed to validate AWS IAM authentication fields: metadata property "
        "AWSRegion is missing",
    ),
)


def _exact_given(resource: Resource) -> set[str]:
    """Names, as spelt, that carry something (a value, a secretKeyRef or an envRef)."""
    given: set[str] = set()
    for item in dm.metadata_items(resource):
        ref = item.secret_ref is not None or item.env_ref is not None
        if ref or (item.has_value and (item.text.strip() or is_templated(item.text))):
            given.add(item.name)
    return given


def _code_needs(resource: Resource, type_: str, literal: dict[str, str]) -> Iterator[Finding]:
    given = _exact_given(resource)
    for need in _CODE_NEEDS:
        if type_ not in need.types or literal.get(need.selector.lower(), "").lower() != need.value:
            continue
        if any(key in given for key in need.keys):
            continue
        wanted = {key.lower() for key in need.keys}
        miscased = sorted(
            {i.name for i in dm.metadata_items(resource) if i.name.lower() in wanted}
            - set(need.keys)
        )
        note = (
            f" ({', '.join(repr(n) for n in miscased)} is not read: the key is matched exactly)"
            if miscased
            else ""
        )
        first, *others = need.keys
        alias = f' (or the older "{others[0]}")' if others else ""
        yield RULE.finding(
            resource,
            f'with {need.selector}: "{need.value}", {type_} also requires "{first}"{alias}{note}: '
            f'{need.where} reads only these keys and Init fails with "{need.failure}", so the '
            f'sidecar exits. Add "{first}".',
            ("spec", "metadata"),
        )


def _known(spec: ComponentSpec, code: PackageReads, name: str) -> bool:
    return spec.field(name) is not None or code.reads_name(name)


def _satisfied(
    requirement: CodeRequirement, spec: ComponentSpec, present: set[str], exact: set[str]
) -> bool:
    for name in requirement.any_of:
        field = spec.field(name)
        if requirement.exact and field is None:
            if name in exact:
                return True
            continue
        if field is not None and _has(field, present):
            return True
        if name.lower() in present:
            return True
    return False


def _spelling(spec: ComponentSpec, name: str) -> str:
    field = spec.field(name)
    return field.name if field is not None else name


def _init_refusals(
    resource: Resource, spec: ComponentSpec, code: PackageReads, present: set[str]
) -> Iterator[Finding]:
    """What the component's ``Init`` refuses, as its Go code was read."""
    type_ = dm.component_type(resource)
    exact = _exact_given(resource)
    for requirement in code.required:
        names = requirement.any_of
        if not all(_known(spec, code, n) for n in names):
            continue  # a name that is not a metadata key (a struct field set by daprd)
        if spec.category == "pubsub" and {n.lower() for n in names} & {"consumerid"}:
            continue  # daprd sets consumerID to the app ID for every pub/sub
        if _satisfied(requirement, spec, present, exact):
            continue
        spelled = [f'"{_spelling(spec, n)}"' for n in names]
        what = spelled[0] if len(spelled) == 1 else "one of " + ", ".join(spelled)
        how = " (matched by exact key)" if requirement.exact else ""
        failure = f' with "{requirement.error}"' if requirement.error else ""
        yield RULE.finding(
            resource,
            f"{type_} requires {what}{how}: {requirement.where} returns an error when it is "
            f"missing or empty, so Init fails{failure} and the sidecar exits. Add it (from a "
            "secretKeyRef if it is a credential).",
            ("spec", "metadata"),
        )


def _half_pairs(
    resource: Resource, spec: ComponentSpec, code: PackageReads, present: set[str]
) -> Iterator[Finding]:
    """Fields the code uses only together, given without their partners."""
    type_ = dm.component_type(resource)
    for names, where in code.pairs:
        fields = [spec.field(n) for n in names]
        if any(f is None for f in fields):
            continue
        given = [f for f in fields if f is not None and _has(f, present)]
        if not given or len(given) == len(fields):
            continue
        lacking = [f for f in fields if f is not None and f not in given]
        have = ", ".join(f'"{f.name}"' for f in given)
        want = ", ".join(f'"{f.name}"' for f in lacking)
        yield RULE.finding(
            resource,
            f"{type_} uses {have} only together with {want}: {where} applies them only when "
            f"all are set, so without {want} the setting has no effect. Add {want}, or remove "
            f"{have}.",
            ("spec", "metadata"),
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    spec = bundle.dapr.component_spec(resource)
    if spec is None:
        return
    type_ = dm.component_type(resource)
    if never_initialised(resource, bundle.dapr.registry.get(type_)):
        return  # no side's Init runs, so nothing is required (dapr-binding-direction)
    present, literal = _given(resource)
    code = reads_for(type_, dm.component_version(resource), bundle.dapr.version)
    if code is not None:
        yield from _half_pairs(resource, spec, code, present)
    if not spec.verified and code is not None and code.code_read:
        yield from _init_refusals(resource, spec, code, present)
        yield from _code_needs(resource, type_, literal)
        return
    # Checked by hand (an error), or code not read: metadata.yaml's word (a warning).
    severity = Severity.ERROR if spec.verified else Severity.WARNING
    unread = (
        ""
        if spec.verified
        else " (its metadata.yaml marks it required; the Go code of this type was not read to "
        "confirm, so check the component's documentation)"
    )
    missing = [f for f in spec.canonical_fields() if f.required and not _has(f, present)]
    if missing:
        names = ", ".join(f'"{f.name}"' for f in missing)
        yield RULE.finding(
            resource,
            f"{type_} requires {names}; without it the component fails to initialise and the "
            f"sidecar exits{unread}. Add it (from a secretKeyRef if it is a credential).",
            ("spec", "metadata"),
            severity=severity,
        )
    coded = list(_code_needs(resource, type_, literal))
    yield from coded
    reason, needed = _profile_requirements(spec, literal)
    lacking = [f for f in needed if not _has(f, present) and f not in missing]
    if coded:
        taken = {k.lower() for n in _CODE_NEEDS if n.types & {type_} for k in n.keys}
        lacking = [f for f in lacking if f.name.lower() not in taken]
    if lacking:
        names = ", ".join(f'"{f.name}"' for f in lacking)
        yield RULE.finding(
            resource,
            f"with {reason}, {type_} also requires {names}; without it authentication fails "
            f"when the component initialises{unread}. Add it (credentials from a "
            "secretKeyRef), or choose another authentication type.",
            ("spec", "metadata"),
            severity=severity,
        )


RULE = Rule(
    id="dapr-required-metadata",
    category="dapr",
    severity=Severity.ERROR,
    severity_note=(
        " when the component's Init refuses it (read in its Go code) or for types checked by "
        "hand; warning when only its metadata.yaml says so"
    ),
    summary="Required metadata missing (including authentication-profile requirements)",
    check=check,
    kinds=frozenset({"Component"}),
)
