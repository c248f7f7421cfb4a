"""Settings: base.py is shared; pick local, test or production with DJANGO_SETTINGS_MODULE."""
