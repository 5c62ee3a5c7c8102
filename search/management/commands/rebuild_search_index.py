"""Rebuild the whole search index on the configured backend, printing progress."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations.management.base import ProjectCommand
from search.backends import get_backend
from search.indexing import counts, rebuild_batches
from search.models import ObjectType

#: The backends' names (``SEARCH_BACKEND``) as a user reads them.
BACKEND_LABELS = {"database": gettext_lazy("database"), "elasticsearch": "Elasticsearch"}


def number(value: int) -> str:
    """A count with the active language's thousands separator (1.234 in Vietnamese)."""
    return number_format(value, force_grouping=True)


def lower_first(label) -> str:
    """A label inside a sentence: "Minh chứng" -> "minh chứng"."""
    text = str(label)
    return text[:1].lower() + text[1:]


class Command(ProjectCommand):
    help = gettext_lazy(
        "Rebuild the search index (evidence, learning models, pages). On the database it brings the entries "
        "up to date in short batches (safe while the site writes) and removes those of vanished objects; on "
        "Elasticsearch it fills new indexes and then moves the aliases."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=2000, help=gettext_lazy("objects per bulk write (default 2000)")
        )

    def handle(self, *args, batch_size: int, **options):
        backend = get_backend()
        expected = counts()
        total = sum(expected.values())
        summary = ", ".join(
            f"{number(count)} {lower_first(ObjectType(name).label)}" for name, count in expected.items()
        )
        self.stdout.write(
            _("Rebuilding the search index (%(backend)s): %(summary)s.")
            % {"backend": BACKEND_LABELS.get(backend.name, backend.name), "summary": summary}
        )
        # The backends' progress per object type ("Minh chứng: 1.234 mục") gets the total; other lines do not.
        per_type = tuple(f"{ObjectType(name).label}:" for name in expected)

        def progress(message: str) -> None:
            if options["verbosity"] > 0:
                if message.startswith(per_type):
                    message = _("%(message)s (of %(total)s objects)") % {"message": message, "total": number(total)}
                self.stdout.write(f"  {message}")

        done = backend.rebuild(rebuild_batches(batch_size), progress)
        self.stdout.write(self.style.SUCCESS(_("Indexed %(count)s objects.") % {"count": number(done)}))
