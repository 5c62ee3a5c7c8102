from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse

from wagtail.models import Page


def search(request):
    """Public search over published pages; recognised models join it with the search issue."""
    query = request.GET.get("query", "").strip()
    results = Page.objects.live().public().specific().search(query) if query else Page.objects.none()
    paginator = Paginator(results, 10)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return TemplateResponse(request, "search/search.html", {"search_query": query, "search_results": page})
