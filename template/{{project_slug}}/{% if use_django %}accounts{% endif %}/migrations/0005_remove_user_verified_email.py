from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_allauth_email_addresses'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='user',
            name='verified_email',
        ),
    ]
