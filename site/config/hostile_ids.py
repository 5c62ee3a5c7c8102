"""Ids that cannot be ids answer 404 everywhere, also in the views of Wagtail and other libraries.

Our own views parse ids first (``evaluations.admin_access.parse_pk``); some of Wagtail's (image and
document choosers, bulk actions of pages, users, images) hand a text or a 20-digit number straight to
the database, which raises before any permission check. An id that names nothing is a 404, whoever
asks: this middleware turns exactly those conversion errors into one. Likewise a form posted without
the keys its own page sends (a formset's management data altered by hand) is a 400, not a 500.
"""

from __future__ import annotations

import logging
import re

from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDictKeyError
from django.views.defaults import bad_request, page_not_found

logger = logging.getLogger(__name__)

#: The messages of the conversions of a lookup value, raised before the query runs (Django's integer
#: and UUID fields, SQLite's and PostgreSQL's integer range).
CONVERSION_ERRORS = re.compile(
    r"expected a number but got|is not a valid UUID|int too large to convert|out of range for type (big)?int",
    re.IGNORECASE,
)


def is_malformed_id(exception: BaseException) -> bool:
    if isinstance(exception, ValidationError):
        text = " ".join(exception.messages)
    elif isinstance(exception, (ValueError, OverflowError)) or type(exception).__name__ == "DataError":
        text = str(exception)
    else:
        return False
    return bool(CONVERSION_ERRORS.search(text))


class MalformedIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, MultiValueDictKeyError) and request.method == "POST":
            logger.warning("Form posted without %s: %s %s", exception, request.method, request.path)
            return bad_request(request, exception)
        if not is_malformed_id(exception):
            return None
        logger.warning("Malformed id in %s %s: %s", request.method, request.path, exception)
        return page_not_found(request, exception)
