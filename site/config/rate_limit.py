"""A fixed-window request limit per client address, on the shared cache: public lookups that a guesser would
repeat (the certificate verification page) answer "too many" once an address has asked ``limit`` times in
``window`` seconds."""

from __future__ import annotations

import time

from django.core.cache import cache

from .client_ip import client_ip


def over_limit(request, *, scope: str, limit: int, window: int) -> bool:
    """Count this request for its client; True when the client has gone over ``limit`` in the window."""
    address = client_ip(request) or "unknown"
    key = f"rate:{scope}:{address}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window + 5):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 5)
        count = 1
    return count > limit
