"""webscaffold: a Copier template and CLI for Django, FastAPI and hybrid projects."""
