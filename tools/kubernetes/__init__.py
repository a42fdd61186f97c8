"""Kubernetes knowledge: object names and network values as the API server validates them, JSON
Schemas of the built-in kinds and of CRDs, CEL as the API server compiles it.
"""
