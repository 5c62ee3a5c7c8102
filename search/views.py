from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.template.response import TemplateResponse

from wagtail.models import Page

from evaluations.selectors import PublicRecognitionPage, public_recognitions_matching

#: Recognised models shown beside the page results (the recognition list has the full, filterable list).
RECOGNITIONS_SHOWN = 20


def search(request):
    """Public search over published pages and recognised learning models (names, with or without diacritics).

    Stories about a model that withdrew its consent are left out, like the model itself.
    """
    from content.models import ModelStoryPage, RecognitionListPage

    query = request.GET.get("query", "").strip()[:100]
    if query:
        hidden = ModelStoryPage.objects.exclude(**ModelStoryPage.PUBLIC_FILTER).values_list("pk", flat=True)
        pages = Page.objects.live().public().exclude(pk__in=list(hidden)).specific().search(query)
    else:
        pages = Page.objects.none()
    paginator = Paginator(pages, 10)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)

    recognitions, more, list_page = [], False, None
    if query:
        list_page = RecognitionListPage.objects.live().public().first()
        if list_page is not None:
            found = PublicRecognitionPage(public_recognitions_matching(q=query))[: RECOGNITIONS_SHOWN + 1]
            more = len(found) > RECOGNITIONS_SHOWN
            recognitions = found[:RECOGNITIONS_SHOWN]
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "search_results": page,
            "recognitions": recognitions,
            "more_recognitions": more,
            "recognition_page": list_page,
        },
    )
