"""The columns of the evaluation and subject listing exports, said once: the export of every filtered row
(``reports.excel``), which the admin listings' export buttons start."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class ExportColumn:
    #: The column's name.
    name: str
    heading: Promise
    #: The ``values_list`` fields the streaming export reads for it.
    fields: tuple[str, ...]


EVALUATION_COLUMNS = (
    ExportColumn("subject", gettext_lazy("Subject"), ("subject__name",)),
    ExportColumn("year", gettext_lazy("Year"), ("year",)),
    ExportColumn("kind", gettext_lazy("Kind"), ("kind",)),
    ExportColumn("area", gettext_lazy("Area"), ("area__name",)),
    ExportColumn("criteria_set", gettext_lazy("Criteria set"), ("criteria_set__name", "criteria_set__version")),
    ExportColumn("total", gettext_lazy("Total"), ("total",)),
    ExportColumn("grade", gettext_lazy("Grade"), ("grade",)),
    ExportColumn("level", gettext_lazy("Level"), ("level",)),
    ExportColumn("result", gettext_lazy("Result"), ("result",)),
    ExportColumn("status", gettext_lazy("Status"), ("status",)),
)

SUBJECT_COLUMNS = (
    ExportColumn("name", gettext_lazy("Name"), ("name",)),
    ExportColumn("kind", gettext_lazy("Kind"), ("kind",)),
    ExportColumn("area", gettext_lazy("Area"), ("area__name",)),
    ExportColumn("code", gettext_lazy("Code"), ("code",)),
    ExportColumn("publish_consent", gettext_lazy("May be published"), ("publish_consent",)),
    ExportColumn("is_active", gettext_lazy("Active"), ("is_active",)),
)
