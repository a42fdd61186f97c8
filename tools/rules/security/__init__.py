"""Rules of the `security` category, one module each."""
