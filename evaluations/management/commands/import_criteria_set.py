"""Read a criteria-set exchange file: a new set, a new version, or nothing when already stored."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from evaluations.criteria_io import CriteriaSetImportError, ImportOutcome, criteria_set_import


def describe(outcome: ImportOutcome) -> str:
    """One line saying what an import did."""
    cs = outcome.criteria_set
    line = f"{outcome.action}: {cs.code} v{cs.version} ({cs.name})"
    if outcome.renumbered:
        line += f"; the file's version {outcome.file_version} was already stored with other content"
    return line


class Command(BaseCommand):
    help = "Import a criteria set from a JSON exchange file (never overwrites a stored version)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the JSON file.")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}") from exc
        try:
            outcome = criteria_set_import(data)
        except CriteriaSetImportError as exc:
            raise CommandError("\n".join([f"{path}:", *exc.errors])) from exc
        self.stdout.write(describe(outcome))
