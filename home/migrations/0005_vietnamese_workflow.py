"""Wagtail's default moderation workflow, its task and its two groups are named in Vietnamese: Wagtail creates
them as "Moderators approval", "Moderators" and "Editors", and the page editor's publish menu read "Thực hiện
Moderators approval", the users and groups screens "Moderators"."""

from django.db import migrations

#: Wagtail's name -> ours, for the workflow and its task, and for the groups.
WORKFLOW_NAMES = {"Moderators approval": "Duyệt của biên tập viên"}
GROUP_NAMES = {"Moderators": "Biên tập viên duyệt bài", "Editors": "Biên tập viên"}


def rename(apps, workflows: dict, groups: dict) -> None:
    for old, new in workflows.items():
        apps.get_model("wagtailcore", "Workflow").objects.filter(name=old).update(name=new)
        apps.get_model("wagtailcore", "Task").objects.filter(name=old).update(name=new)
    Group = apps.get_model("auth", "Group")
    for old, new in groups.items():
        if not Group.objects.filter(name=new).exists():
            Group.objects.filter(name=old).update(name=new)


def forwards(apps, schema_editor):
    rename(apps, WORKFLOW_NAMES, GROUP_NAMES)


def backwards(apps, schema_editor):
    rename(apps, {new: old for old, new in WORKFLOW_NAMES.items()}, {new: old for old, new in GROUP_NAMES.items()})


class Migration(migrations.Migration):
    dependencies = [("home", "0004_vietnamese_roots"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, backwards)]
