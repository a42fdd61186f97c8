"""Defaults written once, in a module that imports nothing, so the command line's help can show
them without loading the tooling."""

# The Kubernetes minor release whose API-server validation and schemas are the default.
DEFAULT_KUBE_VERSION = "1.34"
