"""The client's address: the one place that decides it (login throttling by django-axes uses it through
``AXES_CLIENT_IP_CALLABLE``; anything else that keys on the client calls :func:`client_ip` too).

Behind reverse proxies ``REMOTE_ADDR`` is the nearest proxy's address, the same for every visitor, so
throttling on it would lock a username for everyone. ``TRUSTED_PROXY_COUNT`` (``settings``, from the
environment) says how many proxies of our own stand in front of the application. Each of them appends the
address it received the request from to ``X-Forwarded-For``, so the client is the ``TRUSTED_PROXY_COUNT``-th
entry from the right; entries further left were written by the client and are not believed. With the count
at 0 (the default: no proxy) the header is ignored entirely, so a client cannot pick its own address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        # Fewer entries than our own proxies write: the request did not come through all of them.
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
