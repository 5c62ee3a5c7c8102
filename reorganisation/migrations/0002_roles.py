from django.db import migrations


def sync_roles(apps, schema_editor):
    from evaluations.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """Provincial officers preview and apply reorganisations."""

    dependencies = [
        ("reorganisation", "0001_initial"),
        ("reports", "0002_report_roles"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
