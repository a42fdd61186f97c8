"""Dapr knowledge: the component catalog and daprd's registry per release, Go decoding of metadata,
the models of Dapr resources the rules share.
"""
