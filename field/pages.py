"""The field app's pages (issue 19): the shell the phone keeps, its web app manifest and its service worker.

The shell holds no personal data and no per-user state (the user, the work and the outbox live in the
phone's IndexedDB), so the service worker may keep it and open the app offline. It is served only to a
signed-in officer who may read evaluations; the API answers every request by area as before.
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.access import user_may_read_evaluations
from evaluations.models import SubjectKind

#: The app's own files, kept by the service worker for offline use (paths under STATIC_ROOT).
ASSETS = ("field/scoring.js", "field/app.js", "field/field.css", "field/icon-192.png", "field/icon-512.png")

#: Every sentence the app shows, translated here so that one catalogue (locale/) holds them all.
TEXT = {
    "app_title": gettext_lazy("Field scoring"),
    "online": gettext_lazy("Online"),
    "offline": gettext_lazy("Offline: work is kept on this phone"),
    "home": gettext_lazy("Home"),
    "subjects": gettext_lazy("Households and units"),
    "user": gettext_lazy("Signed in as %(name)s"),
    "year": gettext_lazy("Year %(year)s"),
    "work_title": gettext_lazy("Work on this phone"),
    "no_work": gettext_lazy("Nothing downloaded yet. Choose villages while you are online."),
    "work_summary": gettext_lazy("%(subjects)s households and units in %(villages)s villages, downloaded %(when)s."),
    "choose_villages": gettext_lazy("Choose villages"),
    "download": gettext_lazy("Download to this phone"),
    "downloading": gettext_lazy("Downloading…"),
    "downloaded": gettext_lazy("Downloaded: %(subjects)s households and units."),
    "villages_title": gettext_lazy("Villages to take offline"),
    "commune_itself": gettext_lazy("%(name)s itself (its units and communities)"),
    "villages_none_chosen": gettext_lazy("Tick at least one village."),
    "needs_online": gettext_lazy("You are offline. Downloading needs a connection."),
    "outbox_title": gettext_lazy("Waiting to be sent"),
    "outbox_empty": gettext_lazy("Nothing waits to be sent."),
    "outbox_count": gettext_lazy("%(changes)s saved evaluations and %(photos)s photos wait to be sent."),
    "send_now": gettext_lazy("Send now"),
    "sending": gettext_lazy("Sending…"),
    "sent": gettext_lazy("Everything has been sent."),
    "sent_with_problems": gettext_lazy("Sent. %(count)s evaluations need your attention (see the home screen)."),
    "send_stopped": gettext_lazy(
        "The connection was lost. What was not sent is kept and will be sent when you are online."
    ),
    "sign_in_again": gettext_lazy("Your session has ended. Sign in again, then press “Send now”: nothing is lost."),
    "sign_in": gettext_lazy("Sign in"),
    "attention_title": gettext_lazy("Needs your attention"),
    "search_label": gettext_lazy("Search by name"),
    "search_placeholder": gettext_lazy("Type a name, with or without accents"),
    "all_villages": gettext_lazy("All villages"),
    "more_results": gettext_lazy("%(count)s more — type to narrow the list."),
    "no_results": gettext_lazy("No household or unit matches."),
    "not_started": gettext_lazy("Not evaluated"),
    "state_synced": gettext_lazy("Saved on the server (draft)"),
    "state_pending": gettext_lazy("Saved on this phone, not sent"),
    "state_conflict": gettext_lazy("Changed by someone else"),
    "state_rejected": gettext_lazy("Refused: to correct"),
    "state_new": gettext_lazy("Started, not saved"),
    "start_title": gettext_lazy("New evaluation"),
    "start_with": gettext_lazy("Criteria set"),
    "start": gettext_lazy("Start the evaluation"),
    "no_set": gettext_lazy("No criteria set for this kind was downloaded for the year."),
    "may_not_start": gettext_lazy("You may not start evaluations."),
    "may_not_score": gettext_lazy("You may read evaluations but not score them."),
    "max_points": gettext_lazy("Up to %(max)s points"),
    "met": gettext_lazy("Met"),
    "not_met": gettext_lazy("Not met"),
    "self_value": gettext_lazy("Self-assessment: %(value)s"),
    "note": gettext_lazy("Note"),
    "photo": gettext_lazy("Take a photo"),
    "photo_pending": gettext_lazy("not sent yet"),
    "photo_failed": gettext_lazy("The photo could not be read: %(error)s"),
    "photo_remove": gettext_lazy("Remove photo"),
    "evidence_on_server": gettext_lazy("%(count)s files already on the server"),
    "total": gettext_lazy("Total"),
    "points_of": gettext_lazy("%(total)s of %(max)s"),
    "met_of": gettext_lazy("%(met)s of %(count)s met"),
    "result_meets": gettext_lazy("Meets the criteria"),
    "result_fails": gettext_lazy("Does not meet the criteria"),
    "result_incomplete": gettext_lazy("Not fully scored: %(count)s indicators left"),
    "save": gettext_lazy("Save on this phone"),
    "saved": gettext_lazy("Saved on this phone. It will be sent when you are online."),
    "fix_errors": gettext_lazy("Correct the marked indicators; nothing was saved."),
    "back": gettext_lazy("Back"),
    "server_errors": gettext_lazy("The server refused this evaluation:"),
    "conflict_title": gettext_lazy("Someone else changed this evaluation"),
    "conflict_intro": gettext_lazy(
        "It was saved on the server (version %(version)s) after you downloaded it. Nothing was overwritten. "
        "Compare and choose."
    ),
    "conflict_indicator": gettext_lazy("Indicator"),
    "conflict_mine": gettext_lazy("Yours"),
    "conflict_theirs": gettext_lazy("On the server"),
    "conflict_keep_mine": gettext_lazy("Send mine instead"),
    "conflict_take_theirs": gettext_lazy("Keep the server's"),
    "not_draft": gettext_lazy("This evaluation is “%(status)s” on the server and can no longer be scored here."),
    "clear_device": gettext_lazy("Remove the data from this phone"),
    "clear_refused": gettext_lazy("%(count)s changes have not been sent yet. Send them first."),
    "clear_confirm": gettext_lazy("Remove the downloaded households, units and evaluations from this phone?"),
    "cleared": gettext_lazy("The data was removed from this phone."),
    "admin_link": gettext_lazy("Open the full administration"),
    "storage_failed": gettext_lazy("This browser cannot keep data offline (private mode?). Use a normal window."),
    "evaluation_of": gettext_lazy("Evaluation %(year)s"),
    "personal_data": gettext_lazy(
        "Names of households are kept on this phone until you remove them. Do not lend the phone signed in."
    ),
}


@functools.cache
def _assets_version() -> str:
    """Changes whenever one of the app's files changes, so the service worker replaces its copies."""
    digest = hashlib.sha256()
    for asset in ASSETS:
        path = finders.find(asset)
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


def _officer_only(view):
    """Signed in and allowed to read evaluations; the login page otherwise, as the admin does."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
        if not user_may_read_evaluations(request.user):
            return render(request, "field/refused.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


@_officer_only
def app(request):
    config = {
        "urls": {
            "session": reverse("field:session"),
            "villages": reverse("field:villages"),
            "work": reverse("field:work"),
            "sync": reverse("field:sync"),
            "evidence": reverse("field:evidence"),
            "login": reverse("wagtailadmin_login") + "?next=" + reverse("field_app:app"),
            "admin": reverse("wagtailadmin_home"),
            "service_worker": reverse("field_app:service_worker"),
        },
        "kinds": {kind.value: str(kind.label) for kind in SubjectKind},
        "statuses": _status_labels(),
    }
    response = render(
        request,
        "field/app.html",
        {"text": {key: str(value) for key, value in TEXT.items()}, "config": config},
    )
    # Revalidated at every online opening; the service worker keeps its copy for offline ones.
    response["Cache-Control"] = "no-cache, private"
    return response


def _status_labels() -> dict:
    from evaluations.models import EvaluationStatus

    return {status.value: str(status.label) for status in EvaluationStatus}


def manifest(request):
    data = {
        "name": _("Association for Promoting Learning — field scoring"),
        "short_name": _("Field scoring"),
        "lang": "vi",
        "start_url": reverse("field_app:app"),
        "scope": reverse("field_app:app"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5c8a",
        "icons": [
            {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def service_worker(request):
    """The service worker, at the app's own address so that its scope is the app (``/field/``)."""
    script = SERVICE_WORKER % {
        "cache": json.dumps("field-" + _assets_version()),
        "shell": json.dumps(reverse("field_app:app")),
        "assets": json.dumps([static(asset) for asset in ASSETS] + [reverse("field_app:manifest")]),
        "api": json.dumps(reverse("field:session").rsplit("/", 2)[0] + "/"),
    }
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


#: Shell network-first (a new release or a sign-out shows online), the cached shell offline; the app's
#: files from the cache; the API never cached (the work lives in IndexedDB, written by the app itself).
SERVICE_WORKER = """"use strict";
const CACHE = %(cache)s;
const SHELL = %(shell)s;
const ASSETS = %(assets)s;
const API = %(api)s;

async function keepShell(cache, response) {
  // Keep only the real shell: not a redirect to the login page, not an error page.
  if (response.ok && !response.redirected) await cache.put(SHELL, response);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then(async (cache) => {
      await cache.addAll(ASSETS);
      // The page that registered this worker was loaded before it: keep a copy now, for the first offline opening.
      await fetch(SHELL, { credentials: "same-origin" })
        .then((response) => keepShell(cache, response))
        .catch(() => {});
    }).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => names.filter((name) => name.startsWith("field-") && name !== CACHE))
      .then((old) => Promise.all(old.map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith(API)) return;
  if (request.mode === "navigate" && url.pathname === SHELL) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => keepShell(cache, copy));
          return response;
        })
        .catch(() => caches.match(SHELL).then((cached) => cached || Response.error()))
    );
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((cached) => cached || fetch(request)));
  }
});
"""
