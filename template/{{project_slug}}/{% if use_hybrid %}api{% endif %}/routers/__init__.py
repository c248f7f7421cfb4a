"""The API's routes, one module per area; app.py mounts them under /api."""
