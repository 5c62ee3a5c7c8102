from django.urls import include, path

from wagtail import hooks

from . import admin_urls


@hooks.register("register_admin_urls")
def register_document_urls():
    return [path("documents/", include(admin_urls, namespace="documents"))]
