"""Accounts move to django-allauth: each user with an email address gets allauth's record of it,
verified and primary, so everyone who could log in before still can."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def record_addresses(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        EmailAddress(user_id=user.pk, email=user.email, verified=True, primary=True)
        for user in User.objects.exclude(email="").only("pk", "email").iterator()
        if user.pk not in known
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_emailrequest'),
        ('account', '0009_emailaddress_unique_primary_email'),
    ]

    operations = [
        migrations.RunPython(record_addresses, migrations.RunPython.noop),
    ]
