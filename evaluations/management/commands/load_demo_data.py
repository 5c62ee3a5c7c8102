from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.demo import DEMO_PASSWORD, DEMO_USERNAME, DemoBuilder, Sizes, active_criteria_sets
from evaluations.demo_roles import DEMO_ROLE_USERS, ensure_role_users
from evaluations.models import Evaluation, Evidence, Score, Subject, SubjectKind
from operations.management.base import ProjectCommand

#: The labels of the counts the demo returns (their keys stay as they are: the bench reads them).
CREATED_LABELS = {
    "villages created": gettext_lazy("villages"),
    "evaluations created": gettext_lazy("evaluations"),
    "scores created": gettext_lazy("scores"),
    "subjects moved by the reorganisation": gettext_lazy("subjects moved by the reorganisation"),
    "decisions created": gettext_lazy("recognition decisions"),
    "evidence files created": gettext_lazy("evidence files"),
    "seconds": gettext_lazy("seconds"),
    "pages created": gettext_lazy("pages of the site"),
    "targets": gettext_lazy("targets"),
    "budget_lines": gettext_lazy("budget lines"),
    "submissions": gettext_lazy("report submissions"),
    **{f"{kind} subjects created": kind.label for kind in SubjectKind},
}


def counts_line(counts: dict) -> str:
    """``label value, label value`` of a dict of counts (an unknown key is shown as it is)."""
    return ", ".join(
        f"{CREATED_LABELS.get(key, key)} {number_format(value) if isinstance(value, float) else value}"
        for key, value in counts.items()
    )


class Command(ProjectCommand):
    help = gettext_lazy(
        "Load a demo Ninh Thuận province: units, villages, subjects, five years of evaluations (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--households", type=int, default=3000, help=gettext_lazy("Number of learning families (3000).")
        )
        parser.add_argument("--seed", type=int, default=2022, help=gettext_lazy("Random seed (same seed, same data)."))

    def handle(self, *args, households, seed, **options):
        if households < 1:
            raise CommandError(_("--households must be at least 1."))
        verbose = options["verbosity"] > 0
        call_command("load_admin_units", verbosity=options["verbosity"], stdout=self.stdout)
        try:
            call_command("seed_criteria_sets", verbosity=options["verbosity"], stdout=self.stdout)
        except CommandError as error:
            # Only an unknown command is tolerated (sets may have been created another way). Django's message
            # ("Unknown command: ...") is not translated.
            if "Unknown command" not in str(error):
                raise
            self.stderr.write(_("seed_criteria_sets is not available; using the active criteria sets already saved."))
        try:
            criteria_sets = active_criteria_sets()
        except LookupError as error:
            raise CommandError(str(error)) from error

        builder = DemoBuilder(Sizes(households=households), seed=seed, progress=self.stdout.write if verbose else None)
        counts = builder.build(criteria_sets)
        # The demo is written in bulk (no per-row signals): index it for search in one go when it changed.
        from search.models import SearchEntry

        if any(counts.values()) or not SearchEntry.objects.exists():
            call_command("rebuild_search_index", verbosity=options["verbosity"], stdout=self.stdout)
        if any(counts.values()):
            from evaluations.public_version import public_data_changed

            public_data_changed()  # cached public pages show the data before it
        created_user = builder.ensure_demo_user()
        role_users = ensure_role_users(DEMO_PASSWORD)
        from reports.demo import seed_reports_demo

        report_counts = seed_reports_demo(seed=seed)
        from content.demo import build_site

        counts.update(build_site(progress=self.stdout.write if verbose else None))

        if verbose:
            for kind in SubjectKind:
                self.stdout.write(
                    "  "
                    + _("%(kind)s: %(subjects)d subjects, %(evaluations)d evaluations")
                    % {
                        "kind": kind.label,
                        "subjects": Subject.objects.filter(kind=kind).count(),
                        "evaluations": Evaluation.objects.filter(kind=kind).count(),
                    }
                )
            self.stdout.write(
                "  "
                + _("scores: %(scores)d, evidence files: %(evidence)d")
                % {"scores": Score.objects.count(), "evidence": Evidence.objects.count()}
            )
            self.stdout.write(
                "  "
                + _("created this run: %(counts)s; reports: %(reports)s")
                % {"counts": counts_line(counts), "reports": counts_line(report_counts)}
            )
            ready = _("Demo data ready. Admin login: %(username)s / %(password)s") % {
                "username": DEMO_USERNAME,
                "password": DEMO_PASSWORD,
            }
            self.stdout.write(self.style.SUCCESS(ready + (" " + _("(user created)") if created_user else "")))
            self.stdout.write(
                _("Users by role (same password): %(users)s") % {"users": ", ".join(DEMO_ROLE_USERS)}
                + (" " + _("(%(count)d created)") % {"count": len(role_users)} if role_users else "")
            )
