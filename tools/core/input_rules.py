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
    severity: str = "error"  # what --list-rules and the rule's page say


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
        id="input-placeholder",
        category="syntax",
        severity="info",
        summary="a docs-style placeholder (`<NAME>`, `YOUR_API_KEY`, `****`) where a value belongs",
        page="""A resource holds documentation placeholders where values belong: `<NAME>`,
        `<REPLACE-WITH-HOST>`, `YOUR_API_KEY`, `your-account`, `REPLACE_SECRET`, `****`, a quoted
        `"[key]"` or `"{your-value}"`. One finding per resource lists the fields (at most ten, then
        how many more) and the placeholder in each; it points at the first.

## Why

Dapr's docs, quickstarts and samples write placeholders for what each reader must fill in. Checked
as they are, such a manifest used to give a cascade of errors that all say one thing: `<NAME>` in
`metadata.name` is refused as a name, as a label value, as a selector, as a container name; `****`
and `YOUR_API_KEY` in a password field read as inline secrets. This finding says it once, as info,
and the other findings about those fields are left out.

**One central mechanism, not a check in every rule.** The validation run (`tools/validate.py`,
`check`) finds the placeholders of each resource once, before the rules run, and afterwards drops
every other rule's finding whose path is a placeholder field or lies below one. Rules stay simple
and new rules get the behaviour without knowing about it; the rules' own tests, which never use
placeholders, are unaffected. The detector is `tools/secrets/placeholders.py`.

- A field whose whole value is a placeholder: every other finding about it is dropped.
- A field that only contains one (`redis://<HOST>:6379`, `https://<account>.blob.core.windows.net`,
  `your-registry/app:1.0`): the format findings are dropped (the field is not finished), but a
  credential finding (`security-inline-secret`, `security-literal-credential`,
  `security-secret-in-value`) stays whenever anything but separators is left beside the
  placeholders: in a password field, `hunter2 <x>` or `S3cret ****` still holds the password.
- Findings about other fields of the resource (a missing `scopes`, an unknown metadata name) stay.
- The file-level findings (`yaml-syntax`, `yaml-duplicate-key`) are never dropped.
- `--ignore input-placeholder` hides this finding; the other findings about placeholder fields stay
  dropped, since they are not about the manifest the reader will apply.

## What is a placeholder

Read from one-line strings of at most 2,048 characters (multi-line text such as a script or a
configuration file in a ConfigMap is not scanned), values only (not keys), in linear time:

- `<` a letter, up to 100 characters, `>`: the whole value, or inside a value when `<` follows a
  non-alphanumeric character (or starts the value), `>` is followed by one (or ends it), and the
  inside holds no code or markup characters (quotes, `=`, `&`, `|`, `;`, braces) and does not end in
  a space or `/`. So `a < b`, `a<b`, `List<String>`, `<br/>`, `<b>x</b>` and the CEL expression
  `self.x < 5 && self.y > 2` are not placeholders.
- `YOUR_…`, `YOUR-…`, `REPLACE_…`, `REPLACEME` in capitals; `your-…`, `your_…`, `yourName`,
  `replace-with-…`, `replace_me` in lower case unless right after a space (prose such as "keeps
  your_data" is not one).
- Three or more `*` (`****`, `password=*****`).
- As the whole value only: `[words]` and `{words}` (a route such as `/orders/{id}` is not one).
  YAML reads an unquoted `[your-region]` as a one-item list: a one-item list whose item is a
  placeholder word counts as a placeholder at the list. An unquoted `[key]` is the list `["key"]`,
  which cannot be told from a real one-item list, and is not reported.

Not placeholders: what a tool or Dapr fills in. `{uuid}`, `{podName}`, `{namespace}` and `{appID}`
in a component's metadata are substituted by daprd (dapr/dapr `pkg/runtime/meta/meta.go`,
`Meta.convertItemsToProps`); `${VAR}` and `{{ .Values.x }}` are an envsubst or Helm template that
was not rendered.

## What happens in the cluster

Applied as written, the API server refuses `<NAME>` as a name or label value, and Dapr uses the
placeholder text as the value: it connects to a host named `<REPLACE-WITH-HOST>` and
authenticates with `YOUR_API_KEY`, and the component fails to initialise.

## How to fix

Replace each listed field with the real value (a secret through `secretKeyRef`, not a literal),
then validate again: the fields are then checked like any other.
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
