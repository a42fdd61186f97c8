"""Importers: upstream source -> generated data under ``schemas/`` (each with ``--check``).

The CRD and component-metadata importers live in ``tools.crd_import`` and
``tools.metadata_import``; the daprd component registry importer lives here.
"""
