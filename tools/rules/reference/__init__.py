"""Rules of the `reference` category, one module each."""
