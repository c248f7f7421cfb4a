"""The user model: the project's own from day one, so it can grow fields later."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A user of the site. Add fields here, then run `manage.py makemigrations`."""
