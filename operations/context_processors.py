"""The admin's messages, with a warning on every admin page while the background worker is not running."""

from __future__ import annotations

import logging

from django.contrib.messages import WARNING
from django.contrib.messages.context_processors import messages as django_messages
from django.contrib.messages.storage.base import Message
from django.db import DatabaseError
from django.urls import reverse
from django.utils.translation import gettext as _

from .health import worker_warning_needed

logger = logging.getLogger(__name__)


class MessagesWithWorkerWarning:
    """The request's stored messages, preceded by the worker warning when it applies.

    The warning is not stored: it shows on each admin page while it holds and never leaks into another
    response. It is computed (one query) only when the template shows the messages.
    """

    def __init__(self, stored):
        self.stored = stored
        self._warning = None

    def warning(self) -> Message | None:
        if self._warning is None:
            try:
                needed = worker_warning_needed()
            except DatabaseError:
                needed = False  # the page says what failed; the health view reports the database
            self._warning = (
                [
                    Message(
                        WARNING,
                        _(
                            "The background worker is not running: large imports and exports will wait until it is "
                            "started again. Tell the system administrator."
                        ),
                    )
                ]
                if needed
                else []
            )
        return self._warning[0] if self._warning else None

    def __iter__(self):
        warning = self.warning()
        if warning is not None:
            yield warning
        yield from self.stored

    def __len__(self):
        return len(self.stored) + (self.warning() is not None)

    def __bool__(self):
        return self.warning() is not None or bool(self.stored)


def messages(request):
    """Replaces ``django.contrib.messages.context_processors.messages`` in TEMPLATES."""
    context = django_messages(request)
    user = getattr(request, "user", None)
    if (
        user is not None
        and user.is_authenticated
        and request.path.startswith(reverse("wagtailadmin_home"))
        and user.has_perm("wagtailadmin.access_admin")
    ):
        context["messages"] = MessagesWithWorkerWarning(context["messages"])
    return context
