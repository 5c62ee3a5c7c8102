"""Points typed for an indicator ("8,5", "8.5", an Excel number): the one parse, with its messages, that the
score form and the results import share; and the one way points are shown (``points_text``: "10", "8,5").
The range rule itself (0 to the maximum, whole or half points) is ``scoring.check_points``."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from . import scoring

#: Typed points: ASCII digits with one comma or point as decimal mark ("7,5", "7.5", "10", ",5"), an optional
#: sign (so "-1" is told it is negative). Not what ``Decimal`` would also take: exponents ("1e1"), "Infinity",
#: "NaN", digits of other scripts ("٣", "７"), underscores ("1_0"); the phone (``static/field/scoring.js``)
#: applies this same pattern.
POINTS_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")


class PointsError(ValueError):
    """Points that cannot be recorded; ``str(error)`` is the message for the officer, in the active language."""


def points_parse(*, typed: str | int | float | Decimal | None, maximum: Decimal) -> Decimal | None:
    """The points ``typed`` (text with a comma or a point as decimal mark, see ``POINTS_TEXT``; or a number, as
    an Excel cell or a JSON number gives it), None when nothing is typed; raises ``PointsError`` for text that
    is not a number or points outside 0 to ``maximum`` or not whole or half. A typed "-0" is 0."""
    if isinstance(typed, bool):
        raise PointsError(_("“%(value)s” is not a number.") % {"value": typed})
    if isinstance(typed, int | float | Decimal):
        text = str(typed)
        points = Decimal(text)
    else:
        text = " ".join(str(typed).split()) if typed is not None else ""
        if not text:
            return None
        if not POINTS_TEXT.fullmatch(text):
            raise PointsError(_("“%(value)s” is not a number.") % {"value": text})
        points = Decimal(text.replace(",", "."))
    try:
        scoring.check_points(points, maximum)
    except scoring.ScoreError as error:
        messages = {
            "negative": _("Points cannot be negative."),
            "above_maximum": _("At most %(maximum)s points.") % {"maximum": points_text(maximum)},
            "not_half_point": _("Use whole or half points (for example 7 or 7.5)."),
        }
        raise PointsError(messages.get(str(error)) or _("“%(value)s” is not a number.") % {"value": text}) from None
    return points + 0 if points.is_zero() else points  # "-0" is 0


def points_text(points: Decimal | int | float | None) -> str:
    """Points as an officer reads and types them in the active language: no trailing zeros, the language's
    decimal mark ("10", "85", "8,5" in Vietnamese; "8.5" in English); "" for none."""
    if points is None:
        return ""
    value = Decimal(str(points))
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return f"{value:f}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))
