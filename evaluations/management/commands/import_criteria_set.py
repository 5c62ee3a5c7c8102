"""Read a criteria-set exchange file: a new set, a new version, or nothing when already stored."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.criteria_io import CREATED, CriteriaSetImportError, ImportOutcome, criteria_set_import
from operations.management.base import ProjectCommand


def describe(outcome: ImportOutcome) -> str:
    """One line saying what an import did."""
    cs = outcome.criteria_set
    values = {"code": cs.code, "version": cs.version, "name": cs.name}
    if outcome.action == CREATED:
        line = _("created: %(code)s v%(version)s (%(name)s)") % values
    else:
        line = _("unchanged: %(code)s v%(version)s (%(name)s)") % values
    if outcome.renumbered:
        line += _("; the file's version %(version)s was already stored with other content") % {
            "version": outcome.file_version
        }
    return line


class Command(ProjectCommand):
    help = gettext_lazy("Import a criteria set from a JSON exchange file (never overwrites a stored version).")

    def add_arguments(self, parser):
        parser.add_argument("file", help=gettext_lazy("Path of the JSON file."))

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("%(path)s: the file cannot be read (%(reason)s).") % {"path": path, "reason": exc.strerror or exc}
            ) from exc
        try:
            outcome = criteria_set_import(data)
        except CriteriaSetImportError as exc:
            raise CommandError("\n".join([f"{path}:", *exc.errors])) from exc
        self.stdout.write(describe(outcome))
