from django.conf import settings
from django.urls import include, path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from config import media
from content import views as content_views
from documents.views import verification
from evaluations import admin_overrides
from evaluations import urls as evaluations_urls
from field import self_assessment_views
from operations import views as operations_views
from reports import api as reports_api
from search import views as search_views

urlpatterns = [
    # A few of Wagtail's admin views, replaced at their own addresses (see the module).
    path("admin/", include((admin_overrides.urlpatterns, "admin_overrides"))),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("evidence/", include(evaluations_urls)),
    path("api/v1/", include(reports_api)),
    path("field/api/", include("field.urls")),
    path("field/", include("field.page_urls")),
    path("search/", search_views.search, name="search"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", content_views.robots_txt, name="robots_txt"),
    path("health/", operations_views.health, name="health"),
    # The public check of a certificate, where its QR code leads (short: printed under the code too).
    path("xac-minh/", verification.verify_certificate, name="certificate_verify_form"),
    path("xac-minh/<str:code>/", verification.verify_certificate, name="certificate_verify"),
    # The family's or unit's self-assessment, opened with the code of the slip the commune printed (its QR).
    path("tu-danh-gia/", self_assessment_views.self_assessment_form, name="self_assessment_form"),
    path("tu-danh-gia/<str:code>/", self_assessment_views.self_assessment, name="self_assessment"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# In every environment, so development serves exactly what production does (never documents or evidence).
if settings.SERVE_MEDIA:
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media.public_media, name="public_media")]

urlpatterns += [path("", include(wagtail_urls))]
