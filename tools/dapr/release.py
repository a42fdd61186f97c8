"""Everything the rules know about one Dapr release, behind one object.

``dapr_release("1.17")`` is built once per release; what it holds (the release's component
catalog, daprd's registry as that release has it, the release data) is loaded the first time a
rule asks for it, so a run that validates no Dapr resource reads none of it.
"""

from __future__ import annotations

from functools import cache, cached_property

from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.catalog import Catalog
from tools.dapr.component_spec import ComponentSpec
from tools.dapr.registry import DaprdRegistry, load_registry
from tools.dapr.release_catalog import catalog_at, spec_for
from tools.dapr.releases import ReleaseData, load_release_data
from tools.dapr.supported import NEWEST, SUPPORTED


class DaprRelease:
    """One supported Dapr minor release (``1.16``) and the data describing it."""

    def __init__(self, version: str) -> None:
        if version not in SUPPORTED:
            supported = ", ".join(SUPPORTED)
            raise ValueError(f"Dapr {version!r} is not a supported release ({supported})")
        self.version = version

    def __repr__(self) -> str:
        return f"DaprRelease({self.version!r})"

    @property
    def is_newest(self) -> bool:
        return self.version == NEWEST

    @cached_property
    def catalog(self) -> Catalog:
        """The component catalog as this release describes it."""
        return catalog_at(self.version)

    @cached_property
    def registry(self) -> DaprdRegistry:
        """daprd's component registry as this release has it."""
        return load_registry(release=self.version)

    @property
    def changes(self) -> ReleaseData:
        """What differs between the supported releases (``schemas/releases.json``)."""
        return load_release_data()

    def spec(self, type_: str, version: str) -> ComponentSpec | None:
        """The catalog entry of a component type and version, as this release describes it."""
        return spec_for(type_, version, self.version)

    def component_spec(self, resource: Resource) -> ComponentSpec | None:
        """The catalog entry for a Dapr Component resource's type and version; None for any
        other resource, or a component the catalog has no metadata for."""
        if not dm.is_dapr(resource, "Component"):
            return None
        return self.spec(dm.component_type(resource), dm.component_version(resource))


@cache
def dapr_release(version: str | None = None) -> DaprRelease:
    """The release object for ``version`` (None: the newest supported release)."""
    return DaprRelease(version or NEWEST)
