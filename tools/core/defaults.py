"""Defaults written once, in a module that imports nothing, so the command line's help can show
them without loading the tooling."""

# The Kubernetes minor release whose API-server validation and schemas are the default.
DEFAULT_KUBE_VERSION = "1.34"

# Pod Security Standards levels, least restrictive first (pod-security.kubernetes.io/* labels).
POD_SECURITY_LEVELS = ("privileged", "baseline", "restricted")
# The levels assumed for a namespace whose Namespace (or its label) is not in the input: what a
# pod must meet to be admitted (enforce), and what draws an admission warning (warn).
DEFAULT_POD_SECURITY_ENFORCE = "baseline"
DEFAULT_POD_SECURITY_WARN = "restricted"

# Where daprd runs: on Kubernetes (operator, sidecar injector, built-in `kubernetes` secret store)
# or self-hosted (`dapr run --resources-path DIR`: components read from files, no operator).
DAPR_MODES = ("kubernetes", "self-hosted")
DEFAULT_DAPR_MODE = "kubernetes"
