"""The base of the project's own admin screens (reports, imports, evidence search, reorganisations, score
entry...): Wagtail's ``WagtailAdminTemplateMixin``, headed by the screen's own title. Wagtail's default
breadcrumbs end at "Home", so every such screen was headed "Trang chủ"."""

from __future__ import annotations

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


class AdminScreenMixin(WagtailAdminTemplateMixin):
    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]
