from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from evaluations.demo import DEMO_PASSWORD, DEMO_USERNAME, DemoBuilder, Sizes, active_criteria_sets
from evaluations.demo_roles import DEMO_ROLE_USERS, ensure_role_users
from evaluations.models import Evaluation, Evidence, Score, Subject, SubjectKind


class Command(BaseCommand):
    help = "Load a demo Ninh Thuận province: units, villages, subjects, five years of evaluations (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=3000, help="Number of learning families (3000).")
        parser.add_argument("--seed", type=int, default=2022, help="Random seed (same seed, same data).")

    def handle(self, *args, households, seed, **options):
        if households < 1:
            raise CommandError("--households must be at least 1.")
        verbose = options["verbosity"] > 0
        call_command("load_admin_units", verbosity=options["verbosity"], stdout=self.stdout)
        try:
            call_command("seed_criteria_sets", verbosity=options["verbosity"], stdout=self.stdout)
        except CommandError as error:
            # Only an unknown command is tolerated (sets may have been created another way).
            if "Unknown command" not in str(error):
                raise
            self.stderr.write("seed_criteria_sets is not available; using the active criteria sets already saved.")
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
                subjects = Subject.objects.filter(kind=kind).count()
                evaluations = Evaluation.objects.filter(kind=kind).count()
                self.stdout.write(f"  {kind.label}: {subjects} subjects, {evaluations} evaluations")
            self.stdout.write(f"  scores: {Score.objects.count()}, evidence files: {Evidence.objects.count()}")
            self.stdout.write(f"  created this run: {counts}, reports: {report_counts}")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data ready. Admin login: {DEMO_USERNAME} / {DEMO_PASSWORD}"
                    + (" (user created)" if created_user else "")
                )
            )
            self.stdout.write(
                "Users by role (same password): "
                + ", ".join(DEMO_ROLE_USERS)
                + (f" ({len(role_users)} created)" if role_users else "")
            )
