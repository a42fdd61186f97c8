"""Keeping secret values out of everything the tooling prints: what is secret in a resource
(secret_index) and masking it in every text (masking)."""
