"""``manage.py import_workbook PATH [--kind KIND] [--commune CODE_OR_NAME] [--dry-run] [--user USERNAME]``."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from evaluations.imports import importer
from evaluations.imports.errors import error_workbook
from evaluations.imports.jobs import already_imported_message, import_job_fail, import_job_record_plan
from evaluations.imports.readers import FileRefused
from evaluations.models import AdministrativeUnit, ImportJob, ImportKind, ImportStatus, UnitLevel
from operations.management.base import ProjectCommand


class Command(ProjectCommand):
    help = gettext_lazy("Import households, clans, communities, units or citizens from an xlsx, xls, ods or csv file.")

    def add_arguments(self, parser):
        parser.add_argument("path", help=gettext_lazy("the xlsx, xls, ods or csv file to import"))
        parser.add_argument(
            "--kind", choices=ImportKind.values, help=gettext_lazy("what the file lists (found from the header)")
        )
        parser.add_argument(
            "--commune", help=gettext_lazy("GSO code or name of the commune for rows that do not name one")
        )
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("check and report; write nothing"))
        parser.add_argument(
            "--user", help=gettext_lazy("import as this user (their area applies); recorded on the job")
        )
        parser.add_argument("--errors", help=gettext_lazy("write the rejected rows with their errors to this .xlsx"))

    def handle(self, *args, path, kind, commune, dry_run, user, errors, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("File %(path)s not found.") % {"path": path})
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(_("There is no user “%(user)s”.") % {"user": user})
        unit = None
        if commune:
            unit = (
                AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
                .filter(Q(code=commune) | Q(name__iexact=commune))
                .order_by("valid_to")
                .first()
            )
            if unit is None:
                raise CommandError(_("Commune “%(name)s” was not found.") % {"name": commune})
        data = file.read_bytes()

        def progress(done: int, total: int) -> None:
            self.stdout.write(
                "\r  " + _("%(done)d/%(total)d rows checked") % {"done": done, "total": total}, ending=""
            )
            self.stdout.flush()

        try:
            plan = importer.plan_import(data, file.name, kind=kind, commune=unit, user=account, progress=progress)
        except FileRefused as refused:
            self.stdout.write("")
            job = ImportJob(
                kind=kind or ImportKind.FAMILY,
                original_name=file.name[:255],
                size=len(data),
                created_by=account,
                dry_run=dry_run,
            )
            import_job_fail(job=job, message=str(refused))
            raise CommandError(_("File refused: %(reason)s") % {"reason": refused}) from refused
        self.stdout.write("")
        job = ImportJob(
            kind=plan.kind,
            commune=unit,
            original_name=file.name[:255],
            size=len(data),
            created_by=account,
            dry_run=dry_run,
            progress_done=plan.total,
            status=ImportStatus.DONE,
        )
        if not dry_run:
            try:
                importer.apply_plan(
                    plan,
                    user=account,
                    progress=lambda d, t: self.stdout.write(
                        "\r  " + _("%(done)d/%(total)d rows written") % {"done": d, "total": t}, ending=""
                    ),
                )
            except importer.WriteRefused as refused:
                import_job_record_plan(job=job, plan=plan)
                import_job_fail(job=job, message=str(refused))
                raise CommandError(str(refused)) from refused
            self.stdout.write("")
            if plan.already_imported:
                job.message = already_imported_message()
                self.stdout.write(job.message)
        import_job_record_plan(job=job, plan=plan)
        job.save()
        counts = plan.counts()
        summary = (
            _(
                "%(total)d rows: %(created)d to create, %(updated)d to update, %(unchanged)d unchanged, "
                "%(rejected)d rejected."
            )
            if dry_run
            else _(
                "%(total)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                "%(rejected)d rejected."
            )
        )
        self.stdout.write(summary % {"total": plan.total, **counts})
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        if plan.ignored_rows:
            self.stdout.write(
                ngettext(
                    "Left out %(count)d signature or note row below the table (row %(rows)s).",
                    "Left out %(count)d signature or note rows below the table (rows %(rows)s).",
                    len(plan.ignored_rows),
                )
                % {"count": len(plan.ignored_rows), "rows": ", ".join(map(str, plan.ignored_rows))}
            )
        for rejection in plan.rejections[:50]:
            self.stdout.write(
                "  "
                + _("Row %(row)d, column %(column)s: %(message)s")
                % {"row": rejection.row, "column": rejection.column or "-", "message": rejection.message}
            )
        if len(plan.rejections) > 50:
            self.stdout.write("  " + _("... and %(count)d more errors.") % {"count": len(plan.rejections) - 50})
        for notice in plan.notices[:50]:
            self.stdout.write(
                "  "
                + _("Row %(row)d, column %(column)s: %(message)s")
                % {"row": notice.row, "column": notice.column or "-", "message": notice.message}
            )
        if len(plan.notices) > 50:
            self.stdout.write("  " + _("... and %(count)d more rows to review.") % {"count": len(plan.notices) - 50})
        if errors and plan.rejections:
            Path(errors).write_bytes(error_workbook(plan))
            self.stdout.write(_("Error workbook: %(path)s") % {"path": errors})
