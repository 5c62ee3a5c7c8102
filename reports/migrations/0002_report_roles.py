from django.db import migrations


def sync_roles(apps, schema_editor):
    from evaluations.roles import sync_roles

    sync_roles(apps)


class Migration(migrations.Migration):
    """Give the roles their permissions on targets, denominators, budget lines and submissions."""

    dependencies = [
        ("reports", "0001_initial"),
        ("evaluations", "0005_export_records"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
