"""Where the committed schema data is: the top-level ``schemas/`` of a checkout, or its copy
inside an installed package (``tools/schemas/``, mapped there by pyproject.toml).

- ``dapr/``: strict JSON Schemas of the Dapr CRDs (``python -m tools schemas import-crd``);
- ``dapr-components/``: the component catalog (``catalog.json`` from
  ``python -m tools schemas import-metadata``), the hand-written ``_overrides.json``, daprd's
  component registry (``registry.json``, ``import-registry``) and the fields each component's Go
  code decodes (``code_fields.json``, ``import-code-fields``) and how each component's ``Init``
  looks metadata up and what it refuses (``metadata_reads.json``, ``import-metadata-reads``);
- ``releases.json``: what differs between the supported Dapr releases (1.16, 1.17, 1.18;
  ``python -m tools schemas import-releases``). The files above describe the newest release;
  this one records, per component type, metadata name (per components-contrib package) and CRD
  field path, only the entries that are not the same in every release, with the release that
  added them (``since``) or the last one that had them (``until``), and the metadata.yaml field
  specs an older release defines differently (``component_specs``). One small delta file
  instead of a full copy per release keeps the package small, and "added in 1.18" is a lookup.

A wheel, a ``--user`` or ``--target`` install and pre-commit's virtualenv read the packaged copy
with importlib.resources; a checkout and an editable install read ``schemas/`` beside ``tools/``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGED = "schemas"


def schema_root() -> Path:
    """The directory holding ``dapr/``, ``dapr-components/`` and ``releases.json``."""
    packaged = resources.files("tools") / PACKAGED
    if not isinstance(packaged, Path):  # a zip import: the readers need real files
        raise ImportError(f"tools must be installed as files, not imported from {packaged}")
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / PACKAGED
    if checkout.is_dir():
        return checkout
    raise ImportError(f"the schema data is missing: neither {packaged} nor {checkout} exists")
