from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_user_verified_email_user_accounts_user_email_unique'),
    ]

    operations = [
        migrations.CreateModel(
            name='EmailRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=16)),
                ('email', models.EmailField(help_text='The address asked for, lower-cased.', max_length=254)),
                ('client', models.CharField(blank=True, help_text='The address it came from.', max_length=64)),
                ('requested_at', models.DateTimeField(auto_now_add=True, db_index=True)),
            ],
        ),
    ]
