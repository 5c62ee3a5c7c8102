"""The large listings of personal data (subjects, evaluations): pages that cost a page, counts exact below a
bound, and exports that run in the background (the reports app's export of every filtered row) instead of
Wagtail's file built inside the request."""

from __future__ import annotations

import math
import re

from django.conf import settings
from django.contrib.admin.utils import quote
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, Table, TitleColumn
from wagtail.admin.widgets import HeaderButton
from wagtail.snippets.views.snippets import IndexView

from ..models import Evaluation, Subject
from ..models.units import attach_parents
from ..text import fold_words
from ..widgets import attributes_html
from .display import shown_value
from .listing_cache import cached_listing

#: The template of the listings' results: says "more than 10,000" when the count stopped at its bound.
LISTING_RESULTS_TEMPLATE = "evaluations/admin/listing_results.html"


def exact_count_bound() -> int:
    """Listings count their rows exactly up to this many; above it they say "more than" it."""
    return getattr(settings, "LISTING_EXACT_COUNT_MAX", 10_000)


class BoundedPage(Page):
    """A page of a listing whose count stopped at its bound: whether a next page exists was read with the
    page itself (one row more than the page)."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


class BoundedCountPaginator(WagtailPaginator):
    """Counts at most ``exact_count_bound() + 1`` rows (``SELECT COUNT(*)`` over a ``LIMIT``: an index walk
    of that length, never the whole table). Below the bound it is Wagtail's paginator; above it, the count
    reads "more than 10.000" and any page number may be asked for: the page is read with one row more to
    tell whether another follows, and a page past the end is empty (``EmptyPage``)."""

    @cached_property
    def bound(self) -> int:
        return exact_count_bound()

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if hasattr(rows, "order_by"):
            return rows.order_by()[: self.bound + 1].count()
        return len(rows)

    @cached_property
    def count_is_exact(self) -> bool:
        return self.count <= self.bound

    @cached_property
    def num_pages(self) -> int:
        if self.count_is_exact:
            return super().num_pages
        return math.ceil(self.count / self.per_page)  # the pages known to exist; more may follow

    def validate_number(self, number):
        if self.count_is_exact:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return number

    def page(self, number):
        number = self.validate_number(number)
        if self.count_is_exact:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows:
            raise EmptyPage(_("That page contains no results"))
        return BoundedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def get_page(self, number):
        try:
            return super().get_page(number)
        except EmptyPage:
            # Past the end of a listing too long to count: its last known page.
            return self.page(self.num_pages)

    @cached_property
    def count_label(self) -> str:
        """The count as shown: "1.234", or "hơn 10.000" above the bound (Vietnamese number format)."""
        shown = number_format(min(self.count, self.bound), force_grouping=True)
        return shown if self.count_is_exact else _("more than %(count)s") % {"count": shown}

    @cached_property
    def items_count_label(self) -> str:
        if self.count_is_exact and self.count == 1:
            return f"1 {self.verbose_name}"
        return f"{self.count_label} {self.verbose_name_plural}"

    def get_elided_page_range(self, page_number):
        if self.count_is_exact:
            yield from super().get_elided_page_range(page_number)
            return
        try:
            number = self.validate_number(page_number)
        except (PageNotAnInteger, EmptyPage):
            number = 1
        # No last page to offer: the first, the neighbours of this one, and an ellipsis for what follows.
        shown = sorted({1, *range(max(1, number - 1), number + 2)})
        previous = 0
        for page in shown:
            if page > previous + 1:
                yield self.ELLIPSIS
            yield page
            previous = page
        yield self.ELLIPSIS


def export_url(model, query, file_format: str = "xlsx") -> str | None:
    """The export (``reports:export``: in the background when large) of the rows ``query`` (a listing's GET
    parameters) filters from ``model``'s listing, as ``file_format``; ``None`` for a listing without one."""
    if model is Evaluation:
        listing = "evaluations"
        query = query.copy()
    elif issubclass(model, Subject):
        listing = "subjects"
        query = query.copy()
        query["kind"] = model.kind_value
    else:
        return None
    for name in ("p", "export", "ordering"):
        query.pop(name, None)
    query["format"] = file_format
    return f"{reverse('reports:export', args=[listing])}?{query.urlencode()}"


class PlainColumn(Column):
    """Wagtail's ``Column`` with its cell written without a template (``wagtailadmin/tables/cell.html``, same
    markup, the value localised and escaped as the template does): a page of 50 rows has 400 such cells, and
    rendering a template for each cost more than the rest of the page.

    A choice field's label (the accessor ``get_<field>_display``) is read from a table of the labels built
    once per language: Django's ``get_<field>_display`` builds that table again for every cell, hashing each
    lazily translated label (a tenth of a millisecond a cell)."""

    def get_value(self, instance):
        field_name = self._choice_field_name
        if field_name is None:
            return super().get_value(instance)
        field = instance._meta.get_field(field_name)
        labels = self.__dict__.setdefault("_choice_labels", {})
        language = get_language()
        if language not in labels:
            labels[language] = {value: str(label) for value, label in field.flatchoices}
        value = getattr(instance, field.attname)
        return labels[language].get(value, value)

    @cached_property
    def _choice_field_name(self) -> str | None:
        """The field whose choice label the accessor asks for (``get_status_display``), on the row itself."""
        accessor = self.accessor
        if isinstance(accessor, str) and accessor.startswith("get_") and accessor.endswith("_display"):
            return None if "." in accessor else accessor[len("get_") : -len("_display")]
        return None

    def render_cell_html(self, instance, parent_context):
        value = self.get_cell_context_data(instance, parent_context)["value"]
        shown = conditional_escape(shown_value(value))
        if self.classname:
            return format_html('<td class="{}">{}</td>', self.classname, shown)
        return format_html("<td>{}</td>", shown)


class StatusColumn(PlainColumn):
    """An evaluation's status; a draft a reviewer returned says so, with the reason on hover, so the officer
    finds it in the list (``returned_q``: a draft with a reason)."""

    def render_cell_html(self, instance, parent_context):
        if not instance.is_returned:
            return super().render_cell_html(instance, parent_context)
        return format_html(
            '<td><span class="status-tag status-returned" title="{}">{}</span></td>',
            instance.status_reason,
            _("Returned for correction"),
        )


class PlainCheckboxColumn(BulkActionsCheckboxColumn):
    """The bulk actions' checkbox, written without a template (``listing_checkbox_cell.html``, same markup)."""

    def render_cell_html(self, instance, parent_context):
        return format_html(
            '<td class="bulk-action-checkbox-cell"><input type="checkbox" data-object-id="{}" '
            'data-bulk-action-checkbox class="bulk-action-checkbox" aria-label="{}" aria-describedby="{}" /></td>',
            quote(instance.pk),
            _("Select"),
            self.get_aria_describedby(instance),
        )


class PlainRowsTable(Table):
    """Wagtail's ``Table`` with its rows joined in Python: the template's loop rendered a ``{% component %}``
    tag for each of a page's 500 cells, a fifth of the table's time. The header, caption and widths stay
    Wagtail's template; each cell is still its column's ``render_cell_html``."""

    template_name = "evaluations/admin/plain_rows_table.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        columns = list(self.columns.values())
        rows = []
        for row in self.rows:
            row_context = {**context, "row": row}  # what the template's loop gave each cell
            cells = "".join(str(column.render_cell_html(row.instance, row_context)) for column in columns)
            rows.append(format_html("<tr{}>{}</tr>", attributes_html(row.attrs), mark_safe(cells)))  # noqa: S308
        context["rows_html"] = mark_safe("".join(rows))  # noqa: S308 (each row escaped by format_html)
        return context


#: Stands for a row's primary key in an address reversed once per page (``PersonalDataIndexView``).
ROW_PK_MARK = "8087978"


class _MarkedRow:
    pk = ROW_PK_MARK


def _cell_values(context: dict) -> tuple[list, list[str]]:
    """A title cell's shape (what its markup depends on besides its row) and the attribute values that
    belong to its row, each written as the template writes it (escaped, with its attribute name)."""
    shape: list = [bool(context.get("link_url")), bool(context.get("title_id")), bool(context.get("label_id"))]
    values = [
        format_html('<span id="{}">{}</span>', context["title_id"], context["value"]),
        format_html('href="{}"', context["link_url"]),
    ]

    def walk(buttons):
        for button in buttons:
            aria, url = button.attrs.get("aria-label"), getattr(button, "url", None)
            shape.append((type(button), str(button.label), button.icon_name, bool(button.show), bool(aria), bool(url)))
            values.extend(format_html('aria-label="{}"', aria) for _ in [aria] if aria)
            values.extend(format_html('href="{}"', url) for _ in [url] if url)
            walk(getattr(button, "dropdown_buttons", []))
            shape.append(None)  # the end of this button's children

    walk(context.get("buttons") or [])
    return shape, values


class ListingTitleColumn(TitleColumn):
    """Wagtail's title column (the row's link and its dropdown of actions), its template rendered once per
    page for each kind of row: the other rows' cells are that markup with their own link, title and action
    addresses put in. Rendering the dropdown's nested templates cost 1-2 ms a row, half a page's time.

    A first row whose values do not stand in its markup exactly as often as it holds them is never used
    so, and a row whose repeated values differ where the first row's were the same is rendered by the
    template, as is the first row of each shape."""

    def render_cell_html(self, instance, parent_context):
        context = self.get_cell_context_data(instance, parent_context)
        if not (context.get("title_id") and context.get("link_url")):
            return self.cell_template.render(context)
        shape, values = _cell_values(context)
        rendered = getattr(self, "_rendered", None)
        if rendered is None:
            rendered = self._rendered = {}
        key = repr(shape)
        known = rendered.get(key)
        if known is not None:
            markup, pattern, first_values = known
            pairs = list(zip(first_values, values, strict=False)) if len(values) == len(first_values) else []
            swap = dict(pairs)
            # The same value twice in the first row (the link and the "edit" action) must be one value here too.
            if pattern is not None and pairs and all(swap[old] == new for old, new in pairs):
                return mark_safe(pattern.sub(lambda match: swap[match.group(0)], markup))  # noqa: S308
        markup = self.cell_template.render(context)
        # Each value stands in the markup as often as the row holds it, and nowhere else.
        exact = all(markup.count(value) == values.count(value) for value in values)
        pattern = re.compile("|".join(re.escape(value) for value in dict.fromkeys(values))) if exact else None
        rendered[key] = (markup, pattern, values)
        return markup


class PlainColumnsIndexView(IndexView):
    """A snippet listing whose plain field columns show values as the rest of the admin does
    (``display.shown_value``: yes/no in words, local times, points "8,5"), written without a template."""

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        if column_class is Column:
            column_class = PlainColumn
        return super()._get_custom_column(field_name, column_class, **kwargs)

    def get_table(self, object_list):
        # Each row's unit is shown with the unit it belongs to (``shown_value``): their parents in one query.
        rows = list(object_list)
        attach_parents(row.area for row in rows if "area" in row._state.fields_cache)
        return super().get_table(rows)


class PersonalDataIndexView(PlainColumnsIndexView):
    """A listing of personal data: counted up to a bound, and exported by the reports app's export of every
    filtered row (recorded there in ``ExportRecord``, in the background when large). Wagtail's own export
    (``?export=xlsx``) would build the whole file inside the request: its addresses lead there instead."""

    paginator_class = BoundedCountPaginator
    table_class = PlainRowsTable
    #: The search box matches this folded name (``text.fold_words``: with or without diacritics, any case and
    #: spacing) and, typed whole, this code; ``None``: Wagtail's search on ``search_fields``.
    folded_name_field: str | None = None
    code_field: str | None = None
    #: The fields the listing's columns read (``QuerySet.only``), or ``None`` for every field: a row's other
    #: columns (times, notes, revision and lock fields) would be read and converted for nothing.
    listing_fields: tuple[str, ...] | None = None

    def search_queryset(self, queryset):
        if not self.is_searching or self.folded_name_field is None:
            return super().search_queryset(queryset)
        typed = " ".join(self.search_query.split())
        matches = Q(**{f"{self.folded_name_field}__contains": fold_words(typed)})
        if self.code_field:
            matches |= Q(**{f"{self.code_field}__iexact": typed})
        return queryset.filter(matches)

    def get_base_queryset(self):
        rows = super().get_base_queryset()
        return rows if self.listing_fields is None else rows.only(*self.listing_fields)

    @cached_property
    def columns(self):
        from ..templatetags.evaluation_tags import permitted_bulk_actions

        opts = self.model._meta
        # No box to tick for a user with no bulk action here (an auditor reads, selects nothing).
        may_select = bool(permitted_bulk_actions(self.request.user, opts.app_label, opts.model_name))
        return [
            PlainCheckboxColumn(column.name, obj_type=column.obj_type)
            if type(column) is BulkActionsCheckboxColumn
            else column
            for column in super().columns
            if may_select or not isinstance(column, BulkActionsCheckboxColumn)
        ]

    def _row_url(self, get_url, instance) -> str | None:
        """``get_url(instance)`` (Wagtail's edit, copy, inspect and delete addresses: the same permission
        for every row), reversed once per page and the row's key put in: four ``reverse()`` a row were a
        fifth of the table's time."""
        patterns = self.__dict__.setdefault("_row_url_patterns", {})
        name = get_url.__name__
        if name not in patterns:
            pattern = get_url(_MarkedRow)
            patterns[name] = pattern if pattern is None or pattern.count(ROW_PK_MARK) == 1 else False
        pattern = patterns[name]
        if pattern is False:
            return get_url(instance)
        return None if pattern is None else pattern.replace(ROW_PK_MARK, str(quote(instance.pk)))

    def get_edit_url(self, instance):
        return self._row_url(super().get_edit_url, instance)

    def get_copy_url(self, instance):
        return self._row_url(super().get_copy_url, instance)

    def get_inspect_url(self, instance):
        return self._row_url(super().get_inspect_url, instance)

    def get_delete_url(self, instance):
        return self._row_url(super().get_delete_url, instance)

    def _get_title_column(self, field_name, column_class=ListingTitleColumn, **kwargs):
        return super()._get_title_column(field_name, column_class, **kwargs)

    @property
    def header_buttons(self):
        """Wagtail's buttons, plus the export of every filtered row (reports app)."""
        buttons = list(super().header_buttons)
        url = export_url(self.model, self.request.GET)
        if url is not None:
            buttons.append(HeaderButton(_("Export all filtered rows (xlsx)"), url=url, icon_name="download"))
        return buttons

    #: Set when a column's order was asked for above the bound and the list kept its own order.
    ordering_refused = False

    def get_ordering(self):
        """A column's order sorts every match before the first page can be shown: allowed once the filters
        leave at most ``exact_count_bound()`` rows; above that the list keeps its indexed order (and says so
        above the table) instead of sorting the whole table on every page."""
        ordering = super().get_ordering()
        if ordering == self.default_ordering:
            return ordering
        matches = self.search_queryset(self.filter_queryset(self.get_base_queryset())).order_by()
        if matches[: exact_count_bound() + 1].count() > exact_count_bound():
            self.ordering_refused = True
            return self.default_ordering
        return ordering

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if self.ordering_refused:
            context["ordering_refused"] = _(
                "Sorting by a column works once the filters leave %(count)s rows or fewer: "
                "the list is shown in its usual order."
            ) % {"count": number_format(exact_count_bound(), force_grouping=True)}
        return context

    def get(self, request, *args, **kwargs):
        if "export" in request.GET:
            file_format = "csv" if request.GET.get("export") == "csv" else "xlsx"
            url = export_url(self.model, request.GET, file_format)
            if url is not None:
                return redirect(url)
        # Answered again from the cache until the data it shows changes (``listing_cache``).
        return cached_listing(request, lambda: super(PersonalDataIndexView, self).get(request, *args, **kwargs))
