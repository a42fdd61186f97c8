"""Importers: upstream source -> generated data under ``tools/data/`` (each with ``--check``).

The CRD and component-metadata importers live in ``tools.crd_import`` and
``tools.metadata_import``; the daprd component registry importer lives here.
"""
