"""The site's format modules (``FORMAT_MODULE_PATH``). The admin's pickers write day first in every language
(``WAGTAIL_DATE_FORMAT``, ``WAGTAIL_DATETIME_FORMAT``), so every language reads what they write day first:
Django's Vietnamese formats define no input formats, and the defaults read 01/02/2025 as 2 January — a page's
"go live" date-time typed as 05/12/2026 10:00 was stored as 12 May and flipped at every save."""

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",  # WAGTAIL_DATETIME_FORMAT
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]
