# A push token names one device: unique across users, not per user.

from django.db import migrations, models
from django.db.models import Max


def keep_the_latest_registration(apps, schema_editor):  # type: ignore[no-untyped-def]
    """A token registered by several users belongs to the one who registered it last."""
    Device = apps.get_model("mobile", "Device")
    latest = Device.objects.values("push_token").annotate(latest=Max("id")).values("latest")
    Device.objects.exclude(id__in=latest).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('mobile', '0001_initial'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='device',
            name='mobile_device_unique_push_token_per_user',
        ),
        migrations.RunPython(keep_the_latest_registration, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='device',
            name='push_token',
            field=models.CharField(max_length=512, unique=True),
        ),
    ]
