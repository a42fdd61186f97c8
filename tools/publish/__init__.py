"""Publishing the chart to an OCI registry: the gate, the bounded registry client, the immutable
tag.
"""
