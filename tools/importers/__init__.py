"""Importers: upstream source -> generated data under ``schemas/`` (each with ``--check``).

The CRD and component-metadata importers live in ``tools.importers.crds`` and
``tools.importers.metadata_yaml``; the daprd component registry importer lives here.
"""
