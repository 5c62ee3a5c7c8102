from django.core.cache import cache
from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from content.slugs import AsciiSlugMixin
from evaluations.selectors import recognition_figures

#: Seconds the headline figures are kept at most: they change when a decision or a registration does (the
#: public data version, part of their key, changes then), not per visit, and counting a province's
#: evaluations on every home page view would be wasted work.
FIGURES_CACHE_SECONDS = 600


def figures_cache_key() -> str:
    from evaluations.public_version import public_data_version

    return f"home:recognition-figures:{public_data_version()}"


#: The name of the page tree's root and of the root collection (Wagtail creates them as "Root"; migration
#: 0004 renames them, and tests that rebuild them after a flush use it).
ROOT_NAME = "Gốc"


class HomePage(AsciiSlugMixin, Page):
    """The province's home page: headline figures, latest stories and articles, a call to action."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    cta_title = models.CharField(_("call to action title"), max_length=200, blank=True)
    cta_text = models.TextField(_("call to action text"), blank=True)
    cta_label = models.CharField(_("call to action button"), max_length=60, blank=True)
    cta_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("call to action page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("cta_title"), FieldPanel("cta_text"), FieldPanel("cta_label"), FieldPanel("cta_page")],
            heading=_("Call to action"),
        ),
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_meta_description(self) -> str:
        from django.utils.html import strip_tags

        return self.search_description or Truncator(strip_tags(self.intro)).chars(160)

    def get_meta_image(self):
        return None

    def get_context(self, request, *args, **kwargs):
        from content.models import ArticlePage, ModelStoryPage, RecognitionListPage

        context = super().get_context(request, *args, **kwargs)
        key = figures_cache_key()
        figures = cache.get(key)
        if figures is None:
            figures = recognition_figures()
            cache.set(key, figures, FIGURES_CACHE_SECONDS)
        context["figures"] = figures
        context["stories"] = (
            ModelStoryPage.public_stories().select_related("image", "subject").order_by("-date", "-pk")[:3]
        )
        context["articles"] = ArticlePage.objects.live().public().select_related("image").order_by("-date", "-pk")[:4]
        context["recognition_page"] = RecognitionListPage.objects.live().public().first()
        return context
