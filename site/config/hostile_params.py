"""Control characters in request parameters are refused with a 400 that names the parameter.

A NUL byte cannot be stored or compared by PostgreSQL (it raises, so ``?q=%00`` was a 500 there and a
400 on SQLite), and the other control characters are not text either: openpyxl refuses them in an export,
and a line break copied into a redirect's ``Location`` header fails the response. So one check, before any
view or library sees the request, on the names and values of the query string (``request.GET``) and of a
posted form (``request.POST``, url-encoded or multipart; uploaded files are not parameters and are checked
by their own validators):

- names: no control character at all (our forms write them, never a person);
- query-string values: none but TAB (a spreadsheet cell pasted into a one-line search field keeps its
  tabs, while browsers strip line breaks from such fields, so a line break in an address is crafted);
- posted values: none but TAB, LF and CR (a textarea sends its lines as CR LF).

"Control character" is Unicode's category Cc: U+0000-U+001F, U+007F and U+0080-U+009F.

The open-data API answers in its own JSON error shape (``reports.api.error_response``); everything else
gets a short page with the message.
"""

from __future__ import annotations

import logging
import re

from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
QUERY_ALLOWED = frozenset("\t")
FORM_ALLOWED = frozenset("\t\n\r")


def visible(text: str, limit: int = 50) -> str:
    """``text`` cut to ``limit`` characters, each control character written as ``\\xNN``."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text[:limit])


def first_control(text: str, allowed: frozenset = frozenset()) -> int | None:
    """Index of the first control character of ``text`` that is not in ``allowed``, or None."""
    for match in CONTROL.finditer(text):
        if match.group() not in allowed:
            return match.start()
    return None


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def check(params, allowed_in_values: frozenset) -> None:
    """Raise :class:`BadParameter` for the first name or value of ``params`` (a QueryDict) with a refused
    control character."""
    for name, values in params.lists():
        at = first_control(name)
        if at is not None:
            shown = visible(name)
            raise BadParameter(
                shown,
                _("A parameter name contains a control character (%(char)s): “%(name)s”. Remove it and try again.")
                % {"char": visible(name[at]), "name": shown},
            )
        for value in values:
            at = first_control(value, allowed_in_values)
            if at is not None:
                raise BadParameter(
                    name,
                    _(
                        "Parameter “%(name)s” contains a control character (%(char)s) at character %(position)s; "
                        "such characters are not accepted. Remove it and try again."
                    )
                    % {"name": visible(name), "char": visible(value[at]), "position": at + 1},
                )


class ControlCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check(request.GET, QUERY_ALLOWED)
            if request.method == "POST":
                check(request.POST, FORM_ALLOWED)
        except BadParameter as error:
            logger.warning("Control character in %s %s, parameter %s", request.method, request.path, error.parameter)
            return refusal(request, error)
        return self.get_response(request)


def refusal(request, error: BadParameter):
    try:
        namespace = resolve(request.path_info).namespace
    except Resolver404:
        namespace = ""
    if namespace == "api":
        from reports.api import error_response

        return error_response(error.parameter, error.message)
    return TemplateResponse(request, "bad_parameter.html", {"message": error.message}, status=400).render()
