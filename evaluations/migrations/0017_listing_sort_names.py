"""The subject's names copied onto each evaluation, and the indexes that hold the listings' order
(``EVALUATION_LIST_ORDER``): a page of a listing walks an index instead of sorting every match."""

from django.db import migrations, models


def copy_subject_names(apps, schema_editor):
    """``evaluations_follow_subject_names`` for every row, written with the historical models (one UPDATE)."""
    Evaluation = apps.get_model("evaluations", "Evaluation")
    Subject = apps.get_model("evaluations", "Subject")
    subject = Subject.objects.filter(pk=models.OuterRef("subject_id"))
    Evaluation.objects.update(
        sort_name_folded=models.Subquery(subject.values("name_folded")[:1]),
        sort_name=models.Subquery(subject.values("name")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0016_refold_subject_names")]

    operations = [
        migrations.AlterModelOptions(
            name="evaluation",
            options={
                "ordering": ["-year", "sort_name_folded", "sort_name", "pk"],
                "permissions": [
                    ("submit_evaluation", "Can submit evaluations for review"),
                    ("review_evaluation", "Can review, return and reject evaluations"),
                    ("recognise_evaluation", "Can record recognition decisions"),
                    ("revoke_recognition", "Can revoke recognitions"),
                    ("propose_commendation", "Can propose recognised models for commendation"),
                ],
                "verbose_name": "evaluation",
                "verbose_name_plural": "evaluations",
            },
        ),
        migrations.AddField(
            model_name="evaluation",
            name="sort_name",
            field=models.CharField(blank=True, default="", editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name="evaluation",
            name="sort_name_folded",
            field=models.CharField(blank=True, default="", editable=False, max_length=255),
        ),
        # Filled before the indexes are built: one pass, not an index update per row.
        migrations.RunPython(copy_subject_names, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(
                fields=["-year", "sort_name_folded", "sort_name", "id", "kind", "status", "area"],
                name="evaluation_list_idx",
            ),
        ),
        # Kind alone and (status, year) are the prefixes of the two indexes that replace them.
        migrations.RemoveIndex(model_name="evaluation", name="evaluations_status_20f0ce_idx"),
        migrations.AlterField(
            model_name="evaluation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("family", "Learning family"),
                    ("clan", "Learning clan"),
                    ("community", "Learning community"),
                    ("unit", "Learning unit"),
                    ("citizen", "Learning citizen"),
                ],
                editable=False,
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.AddIndex(
            model_name="subject",
            index=models.Index(fields=["kind", "name_folded", "name", "id", "area"], name="subject_kind_name_idx"),
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(
                fields=["kind", "-year", "sort_name_folded", "sort_name", "id"], name="evaluation_kind_list_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(
                fields=[
                    "status",
                    "-year",
                    "sort_name_folded",
                    "sort_name",
                    "id",
                    "decision",
                    "kind",
                    "area",
                    "grade",
                    "level",
                    "subject",
                ],
                name="evaluation_status_list_idx",
            ),
        ),
    ]
