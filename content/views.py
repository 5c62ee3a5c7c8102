from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request):
    """Crawlers may read the public site; the admin, evidence files and search results are off limits."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /evidence/",
        "Disallow: /documents/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
