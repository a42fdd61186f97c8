"""The committed schema data, shipped inside the package and found with importlib.resources.

- ``dapr/``: strict JSON Schemas of the Dapr CRDs (``python -m tools schemas import-crd``);
- ``dapr-components/``: the component catalog (``catalog.json`` from
  ``python -m tools schemas import-metadata``), the hand-written ``_overrides.json``, daprd's
  component registry (``registry.json``, ``import-registry``) and the fields each component's Go
  code decodes (``code_fields.json``, ``import-code-fields``);
- ``releases.json``: what differs between the supported Dapr releases (1.16, 1.17, 1.18;
  ``python -m tools schemas import-releases``). The files above describe the newest release;
  this one records, per component type, metadata name (per components-contrib package) and CRD
  field path, only the entries that are not the same in every release, with the release that
  added them (``since``) or the last one that had them (``until``), and the metadata.yaml field
  specs an older release defines differently (``component_specs``). One small delta file
  instead of a full copy per release keeps the package small, and "added in 1.18" is a lookup
  (``tools.releases`` reads it, lazily).

The same code path serves a checkout, an editable install, a wheel in site-packages, a
``--user`` or ``--target`` install and pre-commit's virtualenv: the data sits beside this file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def schema_root() -> Path:
    """The directory holding ``dapr/``, ``dapr-components/`` and ``releases.json``."""
    root = resources.files(__name__)
    if not isinstance(root, Path):  # a zip import: the readers need real files
        raise ImportError(f"{__name__} must be installed as files, not imported from {root}")
    return root
