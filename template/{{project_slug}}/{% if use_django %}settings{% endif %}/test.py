"""The test suite's settings (pytest-django): fast hashing, email in memory, SQLite in a file."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Serve static files from the source folders, as locally: tests never run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's in-memory test database: threads' connections share that one through
    # SQLite's shared cache, whose table locks fail at once instead of waiting. One file per test
    # run (by process id) in the temp folder, so runs never collide; Django deletes it afterwards.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"django-test-{os.getpid()}.sqlite3")
    }
