"""User accounts: the project's own user model, sign-up, and Django's auth pages."""
