"""E-mail notices of the workflow's steps: who must act next hears of it.

- submitted -> the reviewers of the evaluation's area;
- reviewed -> those who record recognition decisions there;
- returned -> the commune officers of the area (and whoever created the evaluation), with the reason;
- recognised, not recognised, revoked -> the commune officers of the area.

Transitions call :func:`notice_later` inside their transaction; once it commits, one message goes to each
recipient per step (a bulk action of 300 evaluations is one message listing them), none when it rolls back.
The recipients are active users with an e-mail address, the step's permission and the evaluation's unit in
their area (``user_area_paths``, the one area rule), the nearest of them; never the user who acted. Sent
through Django's mail settings: the console by default, SMTP when ``EMAIL_HOST`` is set (``config/settings``).
A mail server that fails is logged and never undoes the step.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .access import user_area_paths
from .models import AreaAssignment
from .models.units import in_subtrees, outermost

logger = logging.getLogger(__name__)

#: action -> the permission of those who hear of it (``app_label.codename``)
RECIPIENT_PERMISSION = {
    "submit": "evaluations.review_evaluation",
    "review": "evaluations.recognise_evaluation",
    "return": "evaluations.submit_evaluation",
    "recognise": "evaluations.submit_evaluation",
    "not_recognise": "evaluations.submit_evaluation",
    "revoke": "evaluations.submit_evaluation",
}
#: Evaluations named in one message; the rest are counted.
NAMED_IN_MESSAGE = 30


@dataclass
class Noticed:
    pk: int
    label: str
    area_path: str
    created_by_id: int | None


@dataclass
class _Batch:
    #: (action, actor id, reason) -> evaluations
    steps: dict[tuple[str, int | None, str], list[Noticed]] = field(default_factory=lambda: defaultdict(list))

    def add(self, action: str, evaluations, user, reason: str) -> None:
        self.steps[(action, getattr(user, "pk", None), reason)].extend(_noticed(e) for e in evaluations)

    def send_after_commit(self) -> None:
        if self.steps:
            transaction.on_commit(self.flush)

    def flush(self) -> None:
        try:
            send_notices(self.steps)
        except Exception:  # a mail server down must not turn a recorded step into an error page
            logger.exception("Workflow notices could not be sent")


#: The batch of a bulk action in progress (``notices_collected``).
_collecting: ContextVar[_Batch | None] = ContextVar("notices_collecting", default=None)


def notice_later(*, action: str, evaluations, user, reason: str = "") -> None:
    """Remember that ``evaluations`` (``Noticed`` rows, or evaluations) took ``action`` by ``user``: the
    notices go once the current transaction commits (at once outside one), with those of the rest of the
    bulk action inside ``notices_collected``."""
    if action not in RECIPIENT_PERMISSION:
        return
    batch = _collecting.get()
    if batch is not None:
        batch.add(action, evaluations, user, reason)
        return
    batch = _Batch()
    batch.add(action, evaluations, user, reason)
    batch.send_after_commit()


@contextmanager
def notices_collected():
    """Within this block the steps' notices are gathered: one message per recipient for the whole bulk
    action, sent after its transaction commits."""
    batch = _Batch()
    token = _collecting.set(batch)
    try:
        yield batch
    finally:
        _collecting.reset(token)
    batch.send_after_commit()


def _noticed(evaluation) -> Noticed:
    if isinstance(evaluation, Noticed):
        return evaluation
    return Noticed(evaluation.pk, str(evaluation), evaluation.area.path, evaluation.created_by_id)


def recipients(permission: str, area_paths: set[str]) -> dict:
    """Who hears of a step on units at ``area_paths``: active users with an e-mail address and
    ``permission`` whose area covers the unit, the nearest of them only (a commune's own reviewers rather
    than the province's, the province's when the commune has none): ``{user: {paths}}``."""
    app_label, codename = permission.split(".")
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    users = list(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False)
        .exclude(email="")
        .filter(Q(groups__permissions__in=granted) | Q(user_permissions__in=granted))
        .filter(area_assignments__isnull=False)
        .distinct()
        .order_by("pk")
    )
    found: dict = defaultdict(set)
    for path in area_paths:
        # How close each user's area is to the unit: the length of their deepest area containing it.
        nearness = {}
        for user in users:
            covering = [root for root in user_area_paths(user) or () if path.startswith(root)]
            if covering:
                nearness[user] = max(map(len, covering))
        if nearness:
            nearest = max(nearness.values())
            for user, depth in nearness.items():
                if depth == nearest:
                    found[user].add(path)
    return found


def nearer_holder_paths(user, permissions: list[str]) -> dict[str, list[str]]:
    """For each of ``permissions``: the units inside ``user``'s area where someone else holds it closer to the
    work (a commune's own reviewers, for a provincial officer): the work there is theirs, not ``user``'s. The
    rule of :func:`recipients`, from the other side: what waits on a provincial officer is what no nearer
    officer will do. Two queries, whatever the number of permissions."""
    mine = user_area_paths(user)
    roots = [""] if mine is None else mine
    found: dict[str, list[str]] = {permission: [] for permission in permissions}
    if not roots:
        return found
    wanted = {tuple(permission.split(".")) for permission in permissions}
    others = (
        AreaAssignment.objects.filter(user__is_active=True, user__is_superuser=False)
        .exclude(user=user)
        .filter(in_subtrees(roots))
    )
    held = set()
    for through in ("user__groups__permissions", "user__user_permissions"):
        rows = others.filter(**{f"{through}__codename__in": [codename for _app, codename in wanted]}).values_list(
            "area__path", f"{through}__content_type__app_label", f"{through}__codename"
        )
        held.update((path, f"{app}.{codename}") for path, app, codename in rows if (app, codename) in wanted)
    for path, permission in held:
        if all(len(path) > len(root) for root in roots if path.startswith(root)):
            found[permission].append(path)
    return {permission: outermost(paths) for permission, paths in found.items()}


def send_notices(steps) -> int:
    """Send the messages of ``steps`` (see ``_Batch``); returns how many were sent."""
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for (action, actor_id, reason), noticed in steps.items():
            by_user = recipients(RECIPIENT_PERMISSION[action], {row.area_path for row in noticed})
            if action == "return":
                _add_creators(by_user, noticed)
            for user, paths in by_user.items():
                if user.pk == actor_id:
                    continue
                theirs = [row for row in noticed if row.area_path in paths or row.created_by_id == user.pk]
                if theirs:
                    messages.append(_message(action, reason, theirs, user))
    if not messages:
        return 0
    with get_connection() as mail:
        return mail.send_messages(messages) or 0


def _add_creators(by_user: dict, noticed: list[Noticed]) -> None:
    """Whoever created a returned evaluation hears of it too (if still active and reachable by mail)."""
    creator_ids = {row.created_by_id for row in noticed if row.created_by_id}
    known = {user.pk for user in by_user}
    for user in get_user_model().objects.filter(pk__in=creator_ids - known, is_active=True).exclude(email=""):
        by_user[user] = set()


def _subject_line(action: str, count: int) -> str:
    lines = {
        "submit": ngettext(
            "%(count)s evaluation awaits your review", "%(count)s evaluations await your review", count
        ),
        "review": ngettext(
            "%(count)s evaluation is reviewed and awaits a decision",
            "%(count)s evaluations are reviewed and await a decision",
            count,
        ),
        "return": ngettext(
            "%(count)s evaluation was returned for correction",
            "%(count)s evaluations were returned for correction",
            count,
        ),
        "recognise": ngettext("%(count)s evaluation was recognised", "%(count)s evaluations were recognised", count),
        "not_recognise": ngettext(
            "%(count)s evaluation was not recognised", "%(count)s evaluations were not recognised", count
        ),
        "revoke": ngettext("%(count)s recognition was revoked", "%(count)s recognitions were revoked", count),
    }
    return lines[action] % {"count": count}


def _message(action: str, reason: str, rows: list[Noticed], user) -> EmailMessage:
    from .admin.evaluations import evaluation_viewset

    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    subject = f"[{settings.WAGTAIL_SITE_NAME}] {_subject_line(action, len(rows))}"
    lines = [_("Hello %(name)s,") % {"name": user.get_full_name() or user.get_username()}, ""]
    lines.append(_subject_line(action, len(rows)) + ":")
    inspect = evaluation_viewset.get_url_name("inspect")
    for row in rows[:NAMED_IN_MESSAGE]:
        lines.append(f"- {row.label}: {base}{reverse(inspect, args=[row.pk])}")
    if len(rows) > NAMED_IN_MESSAGE:
        lines.append(_("… and %(count)s more.") % {"count": len(rows) - NAMED_IN_MESSAGE})
    if reason:
        lines += ["", _("Reason: %(reason)s") % {"reason": reason}]
    listing = _listing_params(action)
    if listing:
        lines += ["", _("All of them in the list: %(url)s") % {"url": f"{base}{listing}"}]
    lines += ["", _("This message was sent by the association's evaluation system; do not reply to it.")]
    return EmailMessage(subject, "\n".join(lines), to=[user.email])


def _listing_params(action: str) -> str:
    from .admin.evaluations import evaluation_viewset

    params = {
        "submit": {"status": "submitted"},
        "review": {"status": "reviewed", "result": "meets"},
        "return": {"returned": "true"},
    }.get(action)
    if params is None:
        return ""
    return reverse(evaluation_viewset.get_url_name("list")) + "?" + urlencode(params)
