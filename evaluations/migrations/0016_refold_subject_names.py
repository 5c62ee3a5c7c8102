"""Fold again the stored names that hold punctuation: ``text.fold_words`` now treats it as a word boundary
(as the search index always did), so "Hồng-Nhung" is found by "hong nhung" in every list and chooser."""

from django.db import migrations

from evaluations.text import fold_words


def refold(apps, schema_editor):
    Subject = apps.get_model("evaluations", "Subject")
    changed = []
    # Only names folded with something other than letters, digits and spaces can fold differently now.
    for subject in Subject.objects.filter(name_folded__regex=r"[^a-z0-9 ]").only("pk", "name", "name_folded"):
        folded = fold_words(subject.name)[:255]
        if folded != subject.name_folded:
            subject.name_folded = folded
            changed.append(subject)
    Subject.objects.bulk_update(changed, ["name_folded"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0015_import_natural_keys")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
