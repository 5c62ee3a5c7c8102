from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.calendar import time_label
from operations.management.base import ProjectCommand
from reorganisation.models import ApplyPhase, Reorganisation, RunStatus
from reorganisation.planning import divided_lines, plan_lines, reorganisation_plan
from reorganisation.runs import run_start
from reorganisation.services import reorganisation_create_official


class ProgressPrinter:
    """The ``progress`` callback of the command: each phase once, and its counts at every tenth done."""

    def __init__(self, write):
        self.write = write
        self.phase = None
        self.tenth = -1

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.phase, self.tenth = phase, -1
            if not total:
                self.write(f"  {ApplyPhase(phase).label}…")
        if total and done * 10 // total > self.tenth:
            self.tenth = done * 10 // total
            self.write(
                "  "
                + _("%(phase)s: %(done)s / %(total)s (%(percent)s%%)")
                % {"phase": ApplyPhase(phase).label, "done": done, "total": total, "percent": 100 * done // total}
            )


class Command(ProjectCommand):
    help = gettext_lazy(
        "Preview or apply a reorganisation of administrative units: the official 2025 mapping (--official, "
        "the default) or one entered by hand (--id), printing its progress. Applying twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--preview", action="store_true", help=gettext_lazy("Show what would change; change nothing.")
        )
        parser.add_argument(
            "--official", action="store_true", help=gettext_lazy("The official 1/7/2025 mapping (default).")
        )
        parser.add_argument("--id", type=int, help=gettext_lazy("A reorganisation entered by hand in the admin."))
        parser.add_argument("--user", help=gettext_lazy("Username recorded as having applied it."))

    def handle(self, *args, **options):
        try:
            if options["id"]:
                reorg = Reorganisation.objects.filter(pk=options["id"]).first()
                if reorg is None:
                    raise CommandError(_("No reorganisation with id %(id)s.") % {"id": options["id"]})
            else:
                reorg = reorganisation_create_official()
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user named “%(name)s”.") % {"name": options["user"]})

        plan = reorganisation_plan(reorganisation=reorg)
        self.stdout.write(str(reorg))
        for label, count in plan_lines(plan):
            self.stdout.write(f"  {label}: {count}")
        for line in divided_lines(plan):
            self.stdout.write(f"  {line}")
        if options["preview"]:
            self.stdout.write(_("Preview only: nothing was changed."))
            return
        # Recorded as a run like an apply from the screen, and refused while one is queued or running there.
        run, started = run_start(reorg, user=user, background=False, progress=ProgressPrinter(self.stdout.write))
        if not started:
            raise CommandError(
                _("%(name)s is already being applied (asked on %(when)s): wait for it to finish.")
                % {"name": reorg.name, "when": time_label(run.created_at, with_day=True)}
            )
        if run.status == RunStatus.FAILED:
            raise CommandError(run.message)
        if run.changed:
            self.stdout.write(self.style.SUCCESS(_("Applied: the changes above were made and recorded.")))
        else:
            self.stdout.write(_("Already applied: nothing to change."))
