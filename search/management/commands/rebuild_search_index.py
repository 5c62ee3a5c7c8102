"""Rebuild the whole search index on the configured backend, printing progress."""

from django.core.management.base import BaseCommand

from search.backends import get_backend
from search.indexing import counts, rebuild_batches


class Command(BaseCommand):
    help = (
        "Rebuild the search index (evidence, learning models, pages). On the database it brings the entries "
        "up to date in short batches (safe while the site writes) and removes those of vanished objects; on "
        "Elasticsearch it fills new indexes and then moves the aliases."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000, help="objects per bulk write (default 2000)")

    def handle(self, *args, batch_size: int, **options):
        backend = get_backend()
        expected = counts()
        total = sum(expected.values())
        summary = ", ".join(f"{count:,} {name}" for name, count in expected.items())
        self.stdout.write(f"Rebuilding the {backend.name} search index: {summary}.")

        def progress(message: str) -> None:
            if options["verbosity"] > 0:
                self.stdout.write(
                    f"  {message} (of {total:,} objects)" if "aliases" not in message else f"  {message}"
                )

        done = backend.rebuild(rebuild_batches(batch_size), progress)
        self.stdout.write(self.style.SUCCESS(f"Indexed {done:,} objects."))
