"""The floor every other package stands on: resources and findings, bounded reading of input, YAML,
the terminal and output files. Knows nothing of Kubernetes kinds or Dapr.
"""
