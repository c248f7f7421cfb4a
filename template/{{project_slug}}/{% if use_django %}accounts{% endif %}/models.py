"""The user model: the project's own from day one, so it can grow fields later."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """A user of the site. Add fields here, then run `manage.py makemigrations`."""

    class Meta(AbstractUser.Meta):
        constraints = (
            # alice@example.com and ALICE@example.com are one mailbox: one account.
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_unique"
            ),
        )

    @property
    def email_verified(self) -> bool:
        """Whether the user proved, by a link we sent, to receive mail at their current address."""
        return bool(self.email) and (
            EmailAddress.objects.filter(user=self, email__iexact=self.email, verified=True).exists()
        )


class EmailRequest(models.Model):
    """A request for an account email (a reset or verification link), kept while it counts
    towards the limits in mail_limits.py."""

    kind = models.CharField(max_length=16)
    email = models.EmailField(help_text="The address asked for, lower-cased.")
    client = models.CharField(max_length=64, blank=True, help_text="The address it came from.")
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)
