"""Outgoing email: messages rendered from templates (messages.py), sent by the outbox (outbox.py)
without keeping a request waiting for the mail server."""
