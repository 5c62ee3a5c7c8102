"""Site history (Wagtail's "Site history" report), narrowed by area: an officer reads the log entries of
the records of their own area only (``access.log_entries_for_user``), and the filter lists only the
users and actions of those entries."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import IntegerField, Value

from wagtail.admin.views.reports.audit_logging import LogEntriesView, SiteHistoryReportFilterSet
from wagtail.log_actions import registry as log_action_registry
from wagtail.models import ModelLogEntry

from ..access import log_entries_for_user


def readable_log_entries(log_model, user):
    entries = log_model.objects.viewable_by_user(user)
    return log_entries_for_user(entries, user) if issubclass(log_model, ModelLogEntry) else entries


def _readable(user):
    return [readable_log_entries(log_model, user) for log_model in log_action_registry.get_log_entry_models()]


class AreaSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    def get_action_choices(self):
        used = set()
        for entries in _readable(self.request.user):
            used.update(entries.get_actions())
        return [choice for choice in log_action_registry.get_choices() if choice[0] in used]

    def get_user_choices(self):
        user_ids = set()
        for entries in _readable(self.request.user):
            user_ids.update(entries.get_user_ids())
        User = get_user_model()
        return User.objects.filter(pk__in=user_ids).order_by(User.USERNAME_FIELD)


class AreaLogEntriesView(LogEntriesView):
    filterset_class = AreaSiteHistoryFilterSet

    def get_filtered_queryset(self):
        # Wagtail's own union of the log models, each narrowed by area before the union.
        queryset = None
        self.log_models = list(log_action_registry.get_log_entry_models())
        for index, log_model in enumerate(self.log_models):
            entries = (
                readable_log_entries(log_model, self.request.user)
                .values("pk", "timestamp")
                .annotate(log_model_index=Value(index, output_field=IntegerField()))
            )
            entries = self.filter_queryset(entries).order_by()
            queryset = entries if queryset is None else queryset.union(entries, all=True)
        return queryset.order_by("-timestamp")
