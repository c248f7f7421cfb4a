"""The JSON API (FastAPI), served under /api by the same ASGI application as the site.

It uses the site's database through the Django ORM and the site's users: a browser logged in to
the site calls it with its session cookie, other clients with bearer tokens (`routers/auth.py`).
"""
