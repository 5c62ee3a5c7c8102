"""The page tree's root and the root collection are named in Vietnamese: Wagtail creates them as "Root", and
the name shows in the page explorer, the collection choosers and the page search (``home.models.ROOT_NAME``)."""

from django.db import migrations

ROOT_NAME = "Gốc"  # as home.models.ROOT_NAME (a migration keeps its own copy)


def rename(apps, old: str, new: str) -> None:
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    Page.objects.filter(depth=1, title=old).update(title=new, draft_title=new)
    Collection.objects.filter(depth=1, name=old).update(name=new)


def forwards(apps, schema_editor):
    rename(apps, "Root", ROOT_NAME)


def backwards(apps, schema_editor):
    rename(apps, ROOT_NAME, "Root")


class Migration(migrations.Migration):
    dependencies = [("home", "0003_call_to_action"), ("wagtailcore", "0098_apitoken")]

    operations = [migrations.RunPython(forwards, backwards)]
