from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from evaluations.admin_access import ScopedViewSetMixin

from .models import ArticleCategory


class ArticleCategoryViewSet(ScopedViewSetMixin, SnippetViewSet):
    model = ArticleCategory
    icon = "tag"


register_snippet(ArticleCategoryViewSet)
