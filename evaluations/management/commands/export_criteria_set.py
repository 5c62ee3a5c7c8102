"""Write one criteria-set version as an exchange file (JSON), for example to hand a revision to communes."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.criteria_io import criteria_set_export_json
from evaluations.models import CriteriaSet
from operations.management.base import ProjectCommand


class Command(ProjectCommand):
    help = gettext_lazy("Export a criteria set (latest version unless --version) as JSON to stdout or to a file.")

    def create_parser(self, prog_name, subcommand, **kwargs):
        # ``--version`` here is the criteria set's version, replacing Django's "print Django's version".
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("code", help=gettext_lazy("Code of the criteria set, e.g. gdht-448."))
        parser.add_argument(
            "--version", type=int, dest="version", help=gettext_lazy("Version to export (default: the latest).")
        )
        parser.add_argument("-o", "--output", help=gettext_lazy("File to write (default: standard output)."))

    def handle(self, *args, code, version=None, output=None, **options):
        versions = CriteriaSet.objects.filter(code=code)
        if version is not None:
            versions = versions.filter(version=version)
        criteria_set = versions.prefetch_related("grade_bands", "criteria__indicators").order_by("-version").first()
        if criteria_set is None:
            known = ", ".join(
                f"v{v}"
                for v in CriteriaSet.objects.filter(code=code).order_by("version").values_list("version", flat=True)
            )
            message = (
                _("No version %(version)s of a criteria set with code “%(code)s”.")
                if version is not None
                else _("No criteria set with code “%(code)s”.")
            ) % {"version": version, "code": code}
            if known:
                message += " " + _("Stored versions: %(versions)s.") % {"versions": known}
            raise CommandError(message)
        payload = criteria_set_export_json(criteria_set)
        if output:
            Path(output).write_bytes(payload)
            self.stderr.write(
                _("Wrote %(code)s v%(version)s to %(path)s")
                % {"code": criteria_set.code, "version": criteria_set.version, "path": output}
            )
        else:
            self.stdout.write(payload.decode("utf-8"), ending="")
