"""StreamField blocks shared by the outreach pages (articles, stories, the magazine, standard pages)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("alternative text"),
        max_length=250,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image with caption")
        template = "content/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("quote"))
    attribution = blocks.CharBlock(label=_("attribution"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "content/blocks/quote.html"


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label=_("figure"), max_length=30, help_text=_("For example: 76.887 or 78%."))
    label = blocks.CharBlock(label=_("label"), max_length=120)


class KeyFiguresBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=200)
    figures = blocks.ListBlock(KeyFigureBlock(), label=_("figures"), min_num=1)

    class Meta:
        icon = "table"
        label = _("Key figures")
        template = "content/blocks/key_figures.html"


class ProgressRowBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("label"), max_length=120)
    value = blocks.DecimalBlock(label=_("achieved"), min_value=0, decimal_places=1)
    target = blocks.DecimalBlock(label=_("target"), min_value=0, decimal_places=1)


class ProgressChartBlock(blocks.StructBlock):
    """Horizontal bars of achieved against target, drawn as SVG on the server (no JavaScript)."""

    title = blocks.CharBlock(label=_("title"), max_length=200)
    unit = blocks.CharBlock(label=_("unit"), required=False, max_length=20, help_text=_("For example: % or hộ."))
    rows = blocks.ListBlock(ProgressRowBlock(), label=_("rows"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Progress chart")
        template = "content/blocks/progress_chart.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["chart"] = progress_rows((row["label"], row["value"], row["target"]) for row in value["rows"])
        return context


def progress_rows(rows) -> list[dict]:
    """``(label, achieved, target)`` -> dicts with the share of the target reached (0-100, capped for the bar)."""
    out = []
    for label, value, target in rows:
        value = Decimal(value or 0)
        target = Decimal(target or 0)
        percent = (value * 100 / target) if target else Decimal(0)
        out.append(
            {
                "label": label,
                "value": value,
                "target": target,
                "percent": round(percent),
                "bar": min(100, round(percent)),
            }
        )
    return out


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=["h2", "h3", "bold", "italic", "link", "ol", "ul"], icon="pilcrow"
    )
    image = ImageWithCaptionBlock()
    quote = QuoteBlock()
    key_figures = KeyFiguresBlock()
    progress_chart = ProgressChartBlock()
