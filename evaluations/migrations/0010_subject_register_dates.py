# Registration and end dates on subjects, so that a year's register is counted as of that year.
#
# Existing rows: the registration date is left empty, meaning "registered before records began" (on every
# year's register): when a subject entered the list was never recorded, and the row's creation time is when
# it was typed in, not when it was registered (lists of past years are imported now), so using it would
# take those subjects off the registers of the years they were reported in. Inactive subjects get the day
# they were last changed (in Vietnam time) as the day they left: the closest record of their deactivation,
# so years that closed before it keep counting them and later years do not.

import evaluations.calendar
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

BATCH = 2000


def end_inactive_subjects(apps, schema_editor):
    Subject = apps.get_model("evaluations", "Subject")
    rows = Subject.objects.filter(is_active=False, ended_on__isnull=True).order_by("pk").only("pk", "updated_at")
    batch = []
    for subject in rows.iterator(chunk_size=BATCH):
        subject.ended_on = timezone.localdate(subject.updated_at)
        batch.append(subject)
        if len(batch) >= BATCH:
            Subject.objects.bulk_update(batch, ["ended_on"])
            batch = []
    if batch:
        Subject.objects.bulk_update(batch, ["ended_on"])


class Migration(migrations.Migration):

    dependencies = [
        ('evaluations', '0009_covering_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='subject',
            name='subject_register_idx',
        ),
        migrations.AddField(
            model_name='subject',
            name='ended_on',
            field=models.DateField(blank=True, help_text='The day the subject left the list (household moved away, unit dissolved, ...). Unticking “active” without a date records today.', null=True, verbose_name='left the list on'),
        ),
        # The column is added empty (existing rows: before records began) and cheaply (no table rebuild on
        # SQLite); the default of today applies to rows created from now on.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddField(
                    model_name='subject',
                    name='registered_on',
                    field=models.DateField(blank=True, null=True, verbose_name='registration date'),
                ),
            ],
            state_operations=[
                migrations.AddField(
                    model_name='subject',
                    name='registered_on',
                    field=models.DateField(blank=True, default=evaluations.calendar.today, help_text='The day the subject entered the list. Empty: registered before records began.', null=True, verbose_name='registration date'),
                ),
            ],
        ),
        migrations.RunPython(end_inactive_subjects, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='subject',
            index=models.Index(fields=['area', 'kind', 'registered_on', 'ended_on', 'code'], name='subject_register_idx'),
        ),
    ]
