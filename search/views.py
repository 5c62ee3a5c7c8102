from django.template.response import TemplateResponse

from .selectors import public_search

PER_PAGE = 10


def search(request):
    """Public search over published pages and recognised learning models (never evidence)."""
    query = request.GET.get("query", "").strip()[:200]
    try:
        page_number = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page_number = 1
    results = public_search(text=query, offset=(page_number - 1) * PER_PAGE, limit=PER_PAGE) if query else None
    has_next = bool(results and results.total > page_number * PER_PAGE)
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "search_results": results,
            "page_number": page_number,
            "previous_page": page_number - 1 if page_number > 1 else None,
            "next_page": page_number + 1 if has_next else None,
        },
    )
