"""The settings of one validation run, decided once by the CLI (flags over the config file over
the defaults) and read by every rule from the Bundle.

The Dapr release is kept as a string here: the core layer does not know which releases exist;
the CLI and the config file check it with ``tools.dapr.releases`` before a context is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tools.core.defaults import (
    DEFAULT_DAPR_MODE,
    DEFAULT_KUBE_VERSION,
    DEFAULT_POD_SECURITY_ENFORCE,
    DEFAULT_POD_SECURITY_WARN,
)
from tools.core.path_ignores import PathIgnore


@dataclass(frozen=True)
class RunContext:
    """What a run validates against.

    ``dapr_release`` None means the newest release the validator supports; ``schema_dirs`` are
    the ``--schema-dir`` directories in the order given; ``path_ignores`` are the config file's
    per-path ignores, applied after the suppression annotations. ``pod_security_enforce`` and
    ``pod_security_warn`` are the Pod Security levels of a namespace whose Namespace in the
    input does not carry the ``pod-security.kubernetes.io/enforce`` or ``/warn`` label.
    ``dapr_sidecar_drop_all`` says the cluster's Dapr sidecar injector runs with
    ``sidecarDropALLCapabilities`` on, so the daprd container it adds drops every capability (a
    cluster-wide setting no manifest shows). ``dapr_mode`` is where daprd loads the components:
    ``kubernetes`` (from the operator) or ``self-hosted`` (``dapr run --resources-path``).
    """

    kube_version: str = DEFAULT_KUBE_VERSION
    dapr_release: str | None = None
    schema_dirs: tuple[Path, ...] = ()
    path_ignores: tuple[PathIgnore, ...] = ()
    pod_security_enforce: str = DEFAULT_POD_SECURITY_ENFORCE
    pod_security_warn: str = DEFAULT_POD_SECURITY_WARN
    dapr_sidecar_drop_all: bool = False
    dapr_mode: str = DEFAULT_DAPR_MODE
