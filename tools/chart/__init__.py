"""The chart: helm, the values profiles, rendering, helm lint, packaging, the values table of the
README.
"""
