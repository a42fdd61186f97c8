"""Rules of the `schema` category, one module each."""
