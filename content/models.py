"""Outreach pages: articles, model stories, the magazine promotion, recognition lists, standard pages.

Communications staff edit these in the Wagtail admin. What the public may see is one rule at the data
layer (``Evaluation.objects.public()``, ``Subject.objects.public()``): the recognition list filters it
with the FilterSet it shares with the open-data API (``evaluations.public_filters``) and reads only the
columns a public page may show (``evaluations.selectors``); model stories are public only while their
subject is.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import F
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from evaluations.access import unit_reach_paths
from evaluations.models import (
    PUBLIC_KINDS,
    AdministrativeUnit,
    Subject,
    SubjectKind,
    UnitLevel,
    public_subject_exists,
    subject_is_public,
)
from evaluations.models.units import in_subtrees
from evaluations.public_filters import PublicRecognitionFilterSet
from evaluations.selectors import (
    PublicRecognitionPage,
    public_grade_choices,
    public_recognition_get,
    public_recognitions,
    public_year_choices,
)

from .blocks import BodyBlock, progress_rows
from .slugs import AsciiSlugMixin
from .widgets import PublicModelChooser

PER_PAGE = 20


def public_pages(pages: models.QuerySet | None = None) -> models.QuerySet:
    """The pages of ``pages`` (all pages when omitted) the public may see: live, below the root, without a view
    restriction on them or above them, and a model story only while its subject is public (the public rule,
    ``Subject.objects.public()``). The one rule of the sitemap, the search index and the public search."""
    pages = (Page.objects.all() if pages is None else pages).live().public().filter(depth__gt=1)
    hidden_stories = ModelStoryPage.objects.exclude(public_subject_exists("subject_id")).values("pk")
    return pages.exclude(pk__in=hidden_stories)


def paginate(request, items, per_page: int):
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


class SeoMixin:
    """What ``base.html`` puts in the description and Open Graph tags."""

    def get_meta_description(self) -> str:
        return self.search_description or Truncator(getattr(self, "intro_text", "") or "").chars(160)

    def get_meta_image(self):
        return getattr(self, "image", None)


class ArticleCategory(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, allow_unicode=False)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey("content.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE)


class StandardPage(AsciiSlugMixin, SeoMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    class Meta:
        verbose_name = _("standard page")

    @property
    def intro_text(self) -> str:
        return self.intro


class ArticleIndexPage(AsciiSlugMixin, SeoMixin, Page):
    """Articles and model stories, newest first, filtered by tag or category."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["content.ArticlePage", "content.ModelStoryPage"]

    class Meta:
        verbose_name = _("article index page")

    @property
    def intro_text(self) -> str:
        return self.intro

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.live().public().child_of(self).select_related("image")
        stories = ModelStoryPage.public_stories().child_of(self)
        tag = request.GET.get("tag", "").strip()
        category = request.GET.get("category", "").strip()
        if tag:
            articles = articles.filter(tags__name=tag)
            stories = stories.none()
        if category:
            articles = articles.filter(categories__slug=category)
            stories = stories.none()
        items = sorted(
            [*articles.prefetch_related("categories"), *stories.select_related("image")],
            key=lambda p: (p.date, p.pk),
            reverse=True,
        )
        context.update(
            items=paginate(request, items, 12),
            tag=tag,
            category=ArticleCategory.objects.filter(slug=category).first() if category else None,
            categories=ArticleCategory.objects.filter(
                pk__in=ArticlePage.objects.live().child_of(self).values("categories")
            ),
        )
        return context


class ArticlePage(AsciiSlugMixin, SeoMixin, Page):
    date = models.DateField(_("date"))
    author = models.CharField(_("author"), max_length=120)
    intro = models.TextField(_("summary"), max_length=400)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_alt = models.CharField(_("image alternative text"), max_length=250, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    categories = ParentalManyToManyField(ArticleCategory, blank=True, verbose_name=_("categories"))
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("tags"))

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("date"), FieldPanel("author")], heading=_("Byline")),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        FieldPanel("body"),
        FieldPanel("categories"),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    parent_page_types = ["content.ArticleIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")

    @property
    def intro_text(self) -> str:
        return self.intro


def story_subject_choices() -> models.Q:
    """Subjects a story may be about: those the public may see named (``Subject.objects.public()``)."""
    return models.Q(pk__in=Subject.objects.public().values("pk"))


class ModelStoryPage(AsciiSlugMixin, SeoMixin, Page):
    """The story of one recognised family, clan, community or unit, linked to its recognition.

    Public only while its subject is (``Subject.objects.public()``: recognised by a decision, consenting,
    active, never a learning citizen): the page answers 404 otherwise, and lists, the home page, search
    and the sitemap leave it out."""

    subject = models.ForeignKey(
        Subject,
        verbose_name=_("learning model"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to=story_subject_choices,
        help_text=_("Only models recognised by a decision that agreed to be published can be chosen."),
    )
    date = models.DateField(_("date"))
    author = models.CharField(_("author"), max_length=120, blank=True)
    intro = models.TextField(_("summary"), max_length=400)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("main photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_alt = models.CharField(_("photo alternative text"), max_length=250, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("subject", widget=PublicModelChooser),
        MultiFieldPanel([FieldPanel("date"), FieldPanel("author")], heading=_("Byline")),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Main photo")),
        FieldPanel("body"),
        InlinePanel("photos", label=_("Photos")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["content.ArticleIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("model story")

    @property
    def intro_text(self) -> str:
        return self.intro

    @classmethod
    def public_stories(cls):
        """Live, unrestricted stories whose subject is public (one index look-up per story)."""
        return public_pages(cls.objects.all())

    @property
    def subject_is_public(self) -> bool:
        return subject_is_public(self.subject_id)

    def serve(self, request, *args, **kwargs):
        if not self.subject_is_public:
            raise Http404(gettext("This story is not published."))
        return super().serve(request, *args, **kwargs)

    def get_sitemap_urls(self, request=None):
        return super().get_sitemap_urls(request) if self.subject_is_public else []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        recognitions = list(public_recognitions().filter(subject_id=self.subject_id)[:10])
        context["recognitions"] = recognitions
        context["recognition_page"] = RecognitionListPage.objects.live().public().first()
        return context


class ModelStoryPhoto(Orderable):
    page = ParentalKey(ModelStoryPage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("photo"), on_delete=models.CASCADE, related_name="+"
    )
    alt_text = models.CharField(_("alternative text"), max_length=250)
    caption = models.CharField(_("caption"), max_length=250, blank=True)

    panels = [FieldPanel("image"), FieldPanel("alt_text"), FieldPanel("caption")]


class MagazinePage(AsciiSlugMixin, SeoMixin, Page):
    """Promotion of the magazine "Công dân và Khuyến học": issues, how to subscribe, the drive's progress."""

    intro = models.TextField(_("introduction"), blank=True)
    subscribe = RichTextField(_("how to subscribe"), features=["bold", "italic", "link", "ol", "ul"], blank=True)
    drive_title = models.CharField(_("subscription drive title"), max_length=200, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel("issues", label=_("Issues")),
        FieldPanel("subscribe"),
        MultiFieldPanel(
            [FieldPanel("drive_title"), InlinePanel("drive_targets", label=_("Targets by area"))],
            heading=_("Subscription drive"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("subscribe")]
    max_count = 1

    class Meta:
        verbose_name = _("magazine page")

    @property
    def intro_text(self) -> str:
        return self.intro

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        targets = list(self.drive_targets.select_related("area"))
        context["drive"] = progress_rows((t.area.name, t.subscribed, t.target) for t in targets)
        total_target = sum(t.target for t in targets)
        total_done = sum(t.subscribed for t in targets)
        context["drive_total"] = progress_rows([(gettext("Whole province"), total_done, total_target)])[0]
        context["issues"] = self.issues.select_related("cover", "document")
        return context


class MagazineIssue(Orderable):
    page = ParentalKey(MagazinePage, on_delete=models.CASCADE, related_name="issues")
    title = models.CharField(_("title"), max_length=200, help_text=_("For example: Số 12 - tháng 6/2025."))
    published = models.DateField(_("published"))
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("in this issue"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("issue file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The issue as a file (PDF) that readers can open or download."),
    )
    link = models.URLField(_("read online"), blank=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("published"),
        FieldPanel("cover"),
        FieldPanel("summary"),
        FieldPanel("document"),
        FieldPanel("link"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("magazine issue")

    @property
    def read_url(self) -> str:
        """Where a reader opens or downloads the issue: its file, else its page online ("" when neither)."""
        return self.document.url if self.document_id else self.link


class SubscriptionTarget(Orderable):
    page = ParentalKey(MagazinePage, on_delete=models.CASCADE, related_name="drive_targets")
    area = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level__in": [UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE]},
    )
    target = models.PositiveIntegerField(_("target (subscriptions)"))
    subscribed = models.PositiveIntegerField(_("subscriptions so far"), default=0)

    panels = [FieldPanel("area"), FieldPanel("target"), FieldPanel("subscribed")]

    class Meta(Orderable.Meta):
        verbose_name = _("subscription target")


class RecognitionListPage(AsciiSlugMixin, SeoMixin, RoutablePageMixin, Page):
    """Recognised learning models: a filterable list at the page's URL, a detail per recognition below it."""

    intro = models.TextField(_("introduction"), blank=True)
    area = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"level": UnitLevel.PROVINCE},
        help_text=_("The province whose recognitions are listed; empty lists every area."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("area")]
    max_count = 1
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("recognition list page")

    @property
    def intro_text(self) -> str:
        return self.intro

    def area_choices(self) -> list[AdministrativeUnit]:
        """Today's communes of the page's province, then the former districts and communes that went into
        it (for past years; labelled with their end date), each in tree order. The filter takes GSO codes
        (as the open-data API does): a code that a unit of today reuses is offered once, as today's unit;
        with a year before the reorganisation it means the former unit."""
        units = AdministrativeUnit.objects.filter(
            level__in=[UnitLevel.DISTRICT, UnitLevel.COMMUNE], code__isnull=False
        )
        if self.area_id:
            units = units.filter(in_subtrees(unit_reach_paths(self.area), field=None))
        units = units.order_by(F("valid_to").desc(nulls_first=True), "path")
        choices, seen = [], set()
        for unit in units.only("pk", "name", "code", "level", "path", "depth", "valid_to"):
            if unit.code and unit.code not in seen:
                seen.add(unit.code)
                choices.append(unit)
        return choices

    def filterset(self, request) -> PublicRecognitionFilterSet:
        """The list's filters (the open-data API's recognitions take the same): within the page's province
        when no area is chosen."""
        return PublicRecognitionFilterSet(request.GET, default_area=self.area)

    @path("")
    def recognition_list(self, request):
        filterset = self.filterset(request)
        page = paginate(request, PublicRecognitionPage(filterset.qs), PER_PAGE)
        # What was typed, shown again in the form (a wrong value too, beside its message).
        form = {name: request.GET.get(name, "").strip() for name in filterset.filters}
        query = request.GET.copy()
        query.pop("page", None)
        return self.render(
            request,
            context_overrides={
                "filters": form,
                "filter_errors": [message for messages in filterset.errors.values() for message in messages],
                "results": page,
                "query_string": query.urlencode(),
                "kind_choices": [(k, SubjectKind(k).label) for k in PUBLIC_KINDS],
                "area_choices": self.area_choices(),
                "year_choices": [str(year) for year in public_year_choices()],
                "grade_choices": public_grade_choices(),
                "filtered": any(form.values()),
            },
        )

    @path("api/", name="api")
    def recognition_api(self, request):
        """The list as JSON is the open-data API's recognitions endpoint (same FilterSet, same fields,
        documented in ``/api/v1/openapi.json``): this address redirects there, keeping the filters and
        adding the page's province as ``area`` when none is given."""
        query = request.GET.copy()
        if not query.get("area") and self.area_id and self.area.code:
            query["area"] = self.area.code
        url = reverse("api:recognitions")
        response = HttpResponseRedirect(f"{url}?{query.urlencode()}" if query else url)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    @path("<int:pk>/", name="detail")
    def recognition_detail(self, request, pk: int):
        recognition = public_recognition_get(pk=pk)
        if recognition is None:
            raise Http404(gettext("No public recognition with this number."))
        return self.render(
            request,
            context_overrides={
                "recognition": recognition,
                "kind_label": SubjectKind(recognition["kind"]).label,
            },
            template="content/recognition_detail.html",
        )

    def detail_url(self, pk: int) -> str:
        return self.url + self.reverse_subpage("detail", args=[pk])
