"""The Content-Security-Policy header, on every response (``settings.CONTENT_SECURITY_POLICY``).

Django 5.2 has none built in, and a policy is a few lines: this middleware writes it unless the view set
its own. Wagtail 8's admin still writes some scripts inline (date and time pickers, inline panels,
multiple choosers) that cannot carry a nonce, so the admin's pages add ``CONTENT_SECURITY_POLICY_ADMIN``;
the public pages run no inline script at all. ``CSP_REPORT_ONLY`` sends the same policy as
``Content-Security-Policy-Report-Only`` (browsers then only warn in their console), for trying a change.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def header_value(policy: dict[str, list[str]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = "Content-Security-Policy" + ("-Report-Only" if settings.CSP_REPORT_ONLY else "")
        self.public = header_value(settings.CONTENT_SECURITY_POLICY)
        self.admin = header_value(settings.CONTENT_SECURITY_POLICY | settings.CONTENT_SECURITY_POLICY_ADMIN)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header not in response:
            response[self.header] = self.admin if is_admin(request.path) else self.public
        return response


def is_admin(path: str) -> bool:
    try:
        # Asked each time (reverse() is cached): a test or a request may use another URLconf, without the admin.
        return path.startswith(reverse("wagtailadmin_home"))
    except NoReverseMatch:
        return False
