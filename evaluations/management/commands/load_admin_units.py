from django.core.management.base import BaseCommand

from evaluations.admin_units import load_admin_units


class Command(BaseCommand):
    help = "Load Ninh Thuận (until 30/6/2025), Khánh Hòa (from 1/7/2025) and the official old -> new mapping."

    def handle(self, *args, **options):
        report = load_admin_units()
        for label, count in report.counts.items():
            self.stdout.write(f"  {label}: {count}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Administrative units: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged; successions: {report.successions_created} created, "
                f"{report.successions_updated} updated."
            )
        )
