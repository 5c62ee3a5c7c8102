import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from evaluations.admin_units import AdminUnitsError, load_admin_units


class Command(BaseCommand):
    help = (
        "Load today's provinces (from 1/7/2025) with their communes, every former province that went into them "
        "(until 30/6/2025: districts and communes) and the official old -> new mapping, from vietnamadminunits. "
        "Without a province: today's Khánh Hòa (56) with the former Ninh Thuận (58) and Khánh Hòa (56). "
        "Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "provinces",
            nargs="*",
            metavar="PROVINCE",
            help="GSO code or name, before or after 1/7/2025, with or without diacritics: 56, 58, “Ninh Thuận”, "
            "“ninh thuan”. A former province loads the province it went into.",
        )
        parser.add_argument("--all", action="store_true", dest="all_provinces", help="Load all 34 provinces.")
        parser.add_argument(
            "--national",
            action="store_true",
            help="Create the national root (Hội Khuyến học Việt Nam, “Việt Nam”) and place every province under it.",
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
        self.stdout.write("  provinces loaded: " + ", ".join(report.provinces))
        for label, count in report.counts.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Administrative units: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged, {report.moved} moved under the national root; successions: "
                f"{report.successions_created} created, {report.successions_updated} updated "
                f"({time.perf_counter() - started:.1f} s)."
            )
        )
