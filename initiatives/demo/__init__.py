"""Demo data and the builder that carries a competition through its lifecycle."""
