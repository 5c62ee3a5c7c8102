import time

from django.core.management.base import CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.admin_units import AdminUnitsError, load_admin_units
from operations.management.base import ProjectCommand

#: The labels of ``LoadReport.counts`` (its keys stay as they are: tests and the bench read them).
COUNT_LABELS = {
    "provinces": gettext_lazy("provinces"),
    "communes": gettext_lazy("communes"),
    "former provinces": gettext_lazy("former provinces"),
    "former districts": gettext_lazy("former districts"),
    "former communes": gettext_lazy("former communes"),
    "former districts without communes": gettext_lazy("former districts without communes"),
    "successions": gettext_lazy("successions (old -> new)"),
}


class Command(ProjectCommand):
    help = gettext_lazy(
        "Load today's provinces (from 1/7/2025) with their communes, every former province that went into them "
        "(until 30/6/2025: districts and communes) and the official old -> new mapping, from vietnamadminunits. "
        "Without a province: today's Khánh Hòa (56) with the former Ninh Thuận (58) and Khánh Hòa (56). "
        "Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "provinces",
            nargs="*",
            metavar=gettext_lazy("PROVINCE"),
            help=gettext_lazy(
                "GSO code or name, before or after 1/7/2025, with or without diacritics: 56, 58, “Ninh Thuận”, "
                "“ninh thuan”. A former province loads the province it went into."
            ),
        )
        parser.add_argument(
            "--all", action="store_true", dest="all_provinces", help=gettext_lazy("Load all 34 provinces.")
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help=gettext_lazy(
                "Create the national root (Hội Khuyến học Việt Nam, “Việt Nam”) and place every province under it."
            ),
        )

    def handle(self, *args, provinces, all_provinces, national, **options):
        if all_provinces and provinces:
            raise CommandError(_("Give provinces or --all, not both."))
        verbose = options["verbosity"] > 0
        started = time.perf_counter()
        try:
            report = load_admin_units(
                provinces,
                all_provinces=all_provinces,
                national=national,
                progress=self.stdout.write if verbose else None,
            )
        except AdminUnitsError as error:
            raise CommandError(str(error)) from error
        if not verbose:
            return
        self.stdout.write("  " + _("provinces loaded: %(provinces)s") % {"provinces": ", ".join(report.provinces)})
        for key, count in report.counts.items():
            self.stdout.write(f"  {COUNT_LABELS.get(key, key)}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Administrative units: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
                    "%(moved)d moved under the national root; successions: %(successions_created)d created, "
                    "%(successions_updated)d updated (%(seconds)s s)."
                )
                % {
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "moved": report.moved,
                    "successions_created": report.successions_created,
                    "successions_updated": report.successions_updated,
                    "seconds": number_format(time.perf_counter() - started, 1),
                }
            )
        )
