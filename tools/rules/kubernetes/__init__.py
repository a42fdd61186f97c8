"""Rules of the `kubernetes` category: what the API server's Go validation refuses.

These go beyond the OpenAPI schema: names, labels, annotations, CIDRs, ports, Secret types.
"""
