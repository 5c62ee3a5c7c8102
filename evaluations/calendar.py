"""The evaluation calendar (DOMAIN.md, "Calendar"): which dates a year's evaluation is judged on and which
year officers are working on today. Every default year and every "valid on a date" check of a year's
evaluation comes from here.

- The evaluation year runs from 1 January to 31 December.
- Annual reports are due on 30 November; learning-unit dossiers on 15 January of the next year, which
  is when a year's round closes: until then the year just ended is still the one being worked on.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

#: The last day of the next year on which the previous year's round is still open (unit dossiers).
ROUND_CLOSES = (1, 15)


def today() -> datetime.date:
    return timezone.localdate()


def day_label(date: datetime.date) -> str:
    """``30/6/2025``: how Vietnamese documents write a date (no leading zeros)."""
    return f"{date.day}/{date.month}/{date.year}"


def time_label(moment: datetime.datetime, *, with_day: bool = False) -> str:
    """``20:47`` (``20:47 1/12/2026`` with the day): a moment in a message, on the clock of the active time
    zone (``TIME_ZONE``, Vietnam's), never the UTC the database keeps it in."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    label = f"{local:%H:%M}"
    return f"{label} {day_label(local.date())}" if with_day else label


def year_start(year: int) -> datetime.date:
    return datetime.date(year, 1, 1)


def year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def evaluation_date(year: int, on: datetime.date | None = None) -> datetime.date:
    """The date a ``year``'s evaluation and register are judged on: the year's last day, or today while
    the year is still running. A unit must be in force on this date to hold an evaluation of ``year``."""
    return min(year_end(year), on or today())


def current_evaluation_year(on: datetime.date | None = None) -> int:
    """The year whose evaluation round is open on ``on`` (today): the calendar year, except until
    15 January, when the round of the year just ended is still being closed."""
    on = on or today()
    month, day = ROUND_CLOSES
    return on.year - 1 if (on.month, on.day) <= (month, day) else on.year
