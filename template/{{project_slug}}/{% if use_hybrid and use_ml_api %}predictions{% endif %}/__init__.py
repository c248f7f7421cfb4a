"""Predictions the API served, kept for review in the admin."""
