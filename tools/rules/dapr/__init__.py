"""Rules of the `dapr` category, one module each."""
