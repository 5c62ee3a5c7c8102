"""Load the criteria sets shipped in ``evaluations/seed/criteria_sets/`` (idempotent)."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.criteria_io import CriteriaSetImportError, criteria_set_import
from evaluations.management.commands.import_criteria_set import describe
from operations.management.base import ProjectCommand

SEED_DIR = Path(__file__).resolve().parents[2] / "seed" / "criteria_sets"


class Command(ProjectCommand):
    help = gettext_lazy("Import every shipped criteria set; files already stored are reported as unchanged.")

    def handle(self, *args, **options):
        files = sorted(SEED_DIR.glob("*.json"))
        if not files:
            raise CommandError(_("No criteria-set files in %(folder)s.") % {"folder": SEED_DIR})
        failed = []
        for path in files:
            try:
                outcome = criteria_set_import(path.read_bytes())
            except CriteriaSetImportError as exc:
                failed.append(path.name)
                self.stderr.write("\n".join([f"{path.name}:", *exc.errors]))
                continue
            self.stdout.write(f"{path.name}: {describe(outcome)}")
        if failed:
            raise CommandError(
                _("%(count)d file(s) not imported: %(names)s.") % {"count": len(failed), "names": ", ".join(failed)}
            )
