"""Model serving: train, store and load the iris classifier (`python -m <package>.ml train`)."""
