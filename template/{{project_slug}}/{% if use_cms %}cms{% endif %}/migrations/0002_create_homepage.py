"""The page tree: replace Wagtail's placeholder page with the site's HomePage, and point the
default site at it."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create_homepage(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    content_type = apps.get_model("contenttypes.ContentType")
    page = apps.get_model("wagtailcore.Page")
    site = apps.get_model("wagtailcore.Site")
    home_page = apps.get_model("cms.HomePage")

    # wagtailcore's initial data made a placeholder page (and a site on it): remove both.
    placeholder = content_type.objects.get(model="page", app_label="wagtailcore")
    page.objects.filter(content_type=placeholder, slug="home", depth=2).delete()

    home_type, _ = content_type.objects.get_or_create(model="homepage", app_label="cms")
    home = home_page.objects.create(
        title="Home",
        draft_title="Home",
        slug="home",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
    )
    site.objects.create(hostname="localhost", root_page=home, is_default_site=True)


def remove_homepage(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("cms.HomePage").objects.filter(slug="home", depth=2).delete()
    apps.get_model("contenttypes.ContentType").objects.filter(
        model="homepage", app_label="cms"
    ).delete()


class Migration(migrations.Migration):
    # Before Wagtail adds locales, so that its own migration gives this page the default one.
    run_before = [("wagtailcore", "0053_locale_model")]

    dependencies = [("cms", "0001_initial")]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
