"""Findings the loader and the renderer report, not a module in tools/rules/: each one's id,
category, summary and page (docs/rules/<id>.md is written from it by ``python -m tools docs``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputRule:
    id: str
    category: str
    summary: str  # what it catches, for --list-rules and docs/rules.md
    page: str  # the page below its title and severity line


INPUT_FINDINGS: tuple[InputRule, ...] = (
    InputRule(
        id="yaml-syntax",
        category="syntax",
        summary="YAML that does not parse, or a tagged value its tag cannot build",
        page="""A file is not valid YAML; the finding gives the line and the parser's problem.

## Why

Nothing in a document that does not parse can be checked. The stream is split on document markers
first, so one broken document does not hide the others in the same file.

## What happens in the cluster

`kubectl apply` and `helm install` stop at the first unparsable document; nothing from that file is
applied.

## How to fix

Fix the YAML at the line given (indentation, an unclosed quote or bracket, a tab).
""",
    ),
    InputRule(
        id="yaml-alias-bomb",
        category="syntax",
        summary="a document that aliases expand past the node limit",
        page="""A document expands to more than 200,000 nodes through YAML anchors and aliases (a
        "billion laughs" document).

## Why

A few lines of aliases can expand to gigabytes in memory. The expansion is counted before the
document is used, and the document is refused without being walked.

## What happens in the cluster

The API server limits request sizes and refuses such a document; a client that expands it first may
run out of memory.

## How to fix

Write the repeated parts out, or use fewer nested aliases.
""",
    ),
    InputRule(
        id="yaml-duplicate-key",
        category="syntax",
        summary="a mapping that writes one key twice (strict decoding refuses it)",
        page="""A key is written twice in one mapping, at any depth (`kind: Secret` and, further
        down, `kind: ConfigMap`; two `envFrom:` in one container). The finding names the key and
        both lines, and points at the second one.

## Why

YAML requires the keys of a mapping to be unique, but many readers do not check: they keep the last
value and drop the first without a word, so what the file seems to say is not what is applied. A
one-character typo can do it: `{password:VALUE}` in a flow mapping (no space after the colon) is one
key, `password:VALUE`, not the pair `password: VALUE`.

The document is still read (the last value wins, as those readers do) and every other rule still
checks it, so one duplicate does not hide the resource's other problems. Annotations cannot suppress
it, since it is about the file and not the resource; a per-path ignore in the config file can.

## What happens in the cluster

kubectl's strict decoding refuses the file (`mapping key "kind" already defined at line 2`), and so
does the API server's strict field validation for a request body that still carries the duplicate. A
client that converts the YAML leniently first (older kubectl, many deploy tools) sends only the last
value, and the first one is lost without an error (kubernetes/kubernetes#99286).

## How to fix

Keep one of the two keys: merge what both meant into it. Write `key: value` with a space after the
colon.
""",
    ),
    InputRule(
        id="input-not-text",
        category="syntax",
        summary="a file that is binary or not UTF-8",
        page="""A file is binary (it contains NUL bytes) or is not valid UTF-8.

## Why

YAML manifests are UTF-8 text. A binary file among the inputs is usually a path mistake (an archive,
an image) and is reported rather than parsed.

## What happens in the cluster

`kubectl` and Helm refuse the file.

## How to fix

Check the path; re-save the file as UTF-8.
""",
    ),
    InputRule(
        id="input-too-large",
        category="syntax",
        summary="a file, document or run over the size limits",
        page="""A file is over 64 MiB, one document in it is over 4 MiB, or the inputs of one run
        hold over 200,000 documents (the documents from there on are not checked).

## Why

Kubernetes objects are small: etcd stores at most about 1.5 MiB per object by default and the API
server refuses larger requests. A bound on input keeps validation fast and memory flat: a file over
the limit is judged by its size and never read, and standard input is read only up to the limit and
one byte more, so the finding says "over the limit" rather than the exact size.

## What happens in the cluster

The API server refuses a request over its size limit ("Request entity too large").

## How to fix

Split the file, or validate fewer files in one run; move large data out of the manifest (a ConfigMap
or Secret under 1 MiB, or a volume).
""",
    ),
    InputRule(
        id="not-an-object",
        category="syntax",
        summary="a document that is not a mapping with apiVersion and kind",
        page="""A YAML document is a list or a scalar, not a mapping with `apiVersion` and `kind`.

## Why

Only a mapping can be a Kubernetes object. Empty documents (a lone `---`) are skipped, not reported.

## What happens in the cluster

`kubectl apply` refuses the document ("cannot unmarshal … into Go value of type map").

## How to fix

Remove the stray document, or turn it into an object with `apiVersion`, `kind` and `metadata`.
""",
    ),
    InputRule(
        id="helm-render",
        category="schema",
        summary="helm template failed: values refused by the schema, or a template error",
        page="""`helm template` refused the values or failed in a template; the message is Helm's,
        with any secret value redacted.

## Why

The chart's `values.schema.json` refuses typos, literal secrets and out-of-range values with the
values path, and the templates `fail` on combinations a schema cannot express (a backwards cron
range, two subscriptions reaching one app on the same topic). Either way nothing was rendered, so
nothing else can be checked for that profile.

## What happens in the cluster

`helm install` and `helm upgrade` fail with the same message before anything is sent to the cluster.

## How to fix

Correct the values at the path in the message; the chart README lists every value and its format.
""",
    ),
)
