"""Public media (Wagtail's images and their renditions) served by the application itself.

WhiteNoise serves static files only, so without this every public image is a 404 under production
settings. A reverse proxy can serve the same folders faster: point it at ``MEDIA_ROOT/original_images/`` and
``MEDIA_ROOT/images/`` under ``/media/`` and set ``SERVE_MEDIA=false`` (see the README's deployment section).

Only the folders in ``settings.PUBLIC_MEDIA_FOLDERS`` are served: Wagtail's documents also live under
MEDIA_ROOT but are served by ``/documents/``, which checks their collection's privacy, and evidence lives
in PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT (base settings refuse any other layout). A path that resolves
outside its folder (``..``, a symbolic link) is a 404.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.views.decorators.http import require_safe
from django.views.static import serve


@require_safe
def public_media(request, path: str):
    folder = path.split("/", 1)[0]
    if folder not in settings.PUBLIC_MEDIA_FOLDERS:
        raise Http404
    root = (Path(settings.MEDIA_ROOT) / folder).resolve()
    target = (Path(settings.MEDIA_ROOT) / path).resolve()
    if not target.is_relative_to(root) or target.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve()):
        raise Http404
    # serve() answers If-Modified-Since with 304 and refuses directories.
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = f"public, max-age={settings.MEDIA_CACHE_SECONDS}"
    return response
