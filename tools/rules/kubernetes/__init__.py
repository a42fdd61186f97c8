"""Rules of the `kubernetes` category: what the API server's Go validation refuses beyond
the schema."""
