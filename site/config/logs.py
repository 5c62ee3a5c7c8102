"""Logs on stderr, one line per record, each with the id of the request (or background task) it belongs to.

``RequestIdMiddleware`` takes the id from the ``X-Request-ID`` header when it is a sane token (a proxy such
as nginx sets one: ``proxy_set_header X-Request-ID $request_id;``), otherwise makes one, and sends it back
in the response's ``X-Request-ID``. ``RequestIdFilter`` puts it on every log record as ``request_id``: the
request's id, ``task-<id>`` while a background task runs (``db_worker`` or the immediate backend outside a
request), ``-`` otherwise. ``LineFormatter`` keeps a record on one line: a traceback and any newline in a
message (which may carry user input) are written as ``\\n``, so a log line cannot be forged.

``settings.LOGGING`` (``config/settings/base.py``) wires these together; every process that sets Django up
(the WSGI workers, ``manage.py db_worker`` and other commands) logs through it.
"""

import contextvars
import logging
import re
import sys
import uuid

from django.core.signals import request_finished

from django_tasks.signals import task_finished, task_started

HEADER = "X-Request-ID"
#: An incoming id is kept only if it is 1 to 64 of these characters (no spaces, quotes or line breaks).
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_task_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)


def current_request_id() -> str:
    """The id of the request (or else the background task) being handled here, ``-`` if none."""
    return _request_id.get() or _task_id.get() or "-"


def request_id_from(header: str | None) -> str:
    """The incoming id if it is a sane token, else a new one (32 hex digits)."""
    if header and SANE_ID.fullmatch(header):  # fullmatch: "abc\n" is refused ($ would accept it)
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE. The id stays set until the response is closed (``request_finished``), not only
    while the middleware runs: Django logs a 4xx or a returned 5xx ("Not Found: /x/") after the middleware
    chain, and a streamed download is written after it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        _request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _request_finished(sender, **kwargs):
    _request_id.set(None)


def _task_started(sender, task_result, **kwargs):
    _task_id.set(f"task-{task_result.id}")


def _task_finished(sender, task_result, **kwargs):
    _task_id.set(None)


# This module is imported by the logging configuration, i.e. in every process that sets Django up.
request_finished.connect(_request_finished, dispatch_uid="config.logs.request_finished")
task_started.connect(_task_started, dispatch_uid="config.logs.task_started")
task_finished.connect(_task_finished, dispatch_uid="config.logs.task_finished")


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record passing the handler (keeps one given with ``extra=``)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class LineFormatter(logging.Formatter):
    """``2026-12-01T09:30:00+0700 ERROR [<request id>] django.request pid=123: message`` on one line."""

    FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s pid=%(process)d: %(message)s"

    def __init__(self, fmt=None, datefmt="%Y-%m-%dT%H:%M:%S%z", **kwargs):
        super().__init__(fmt or self.FORMAT, datefmt, **kwargs)

    def format(self, record):
        if not hasattr(record, "request_id"):  # a handler configured without RequestIdFilter
            record.request_id = current_request_id()
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")


class StderrHandler(logging.StreamHandler):
    """A StreamHandler on whatever ``sys.stderr`` is when a record is written, not the one at start-up (a
    test capturing stderr sees the records; nothing is written to a stream closed since)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass  # always the current sys.stderr
