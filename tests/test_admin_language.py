"""Every admin screen speaks Vietnamese: each GET the URL resolver offers (the walk of ``test_url_walk``, with
ids inside the user's area), for each role, has no known English fragment and no raw ``True``/``False``/
``None`` in what the user reads (text, placeholders, labels for screen readers, titles)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.test_url_walk import ROLES, _requests, _side_ids, url_patterns, world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

#: Wagtail 8's own templates write these for screen readers in English, untranslatable (not through gettext):
#: (tag, attribute, text). The header's button bar (``shared/headers/_actions.html``) and the hidden submit
#: button of the search forms (``shared/header.html``, ``home.html``).
WAGTAIL_HARD_CODED = {("nav", "aria-label", "Actions"), ("input", "value", "Search")}
#: Wagtail 8's own English, out of gettext's reach (superusers' screens but the first): the page search without a
#: type filter names the type "None" in its count (``pages/listing/_page_title_column_header.html``); the sites
#: listing labels its column from the field's name (``sites/views.py``); the group editor's hidden labels are
#: built from permission codenames ("Add evaluation").
WAGTAIL_BUGS = re.compile(
    r"^(?:[\d.]+-[\d.]+ trên [\d.]+ None|Root page|(?:Add|Change|Delete|View|Publish|Lock|Unlock) [a-z_]+)$"
)
#: Attributes whose text a user reads (or hears).
READ_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt", "value"}
#: Text a user must never read: English that Wagtail or Django leave untranslated, and raw Python values.
ENGLISH = re.compile(
    r"\b(?:Collapse all|Expand all|ago|Password|comma-separated|Select all|Moderators|"
    r"(?:minute|hour|day|week|month|year)s?|Pagination|Total|Home|Root|Loading|Search|Filter|Export|Edit|Delete|Inspect|History|Previous|Next|"
    r"Actions|Status|Created|Updated|Save|Cancel|Yes|No|Add|Choose|Clear|Sort|Page \d|of \d|None|True|False)\b"
)


class ReadText(HTMLParser):
    """The pieces of text a user reads on a page: text nodes outside scripts and styles, and the read
    attributes of elements (a hidden input's value is not read)."""

    def __init__(self):
        super().__init__()
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            if not value or name not in READ_ATTRIBUTES or (tag, name, value) in WAGTAIL_HARD_CODED:
                continue
            if name == "value" and values.get("type") != "submit":
                continue  # a field's value is data, not the interface
            self.pieces.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.pieces.append(" ".join(data.split()))


def english_on(html: str) -> list[str]:
    reader = ReadText()
    reader.feed(html)
    return sorted({piece for piece in reader.pieces if ENGLISH.search(piece) and not WAGTAIL_BUGS.match(piece)})


@pytest.mark.parametrize("role", [*ROLES, "superuser"])
def test_every_admin_screen_reads_in_vietnamese(client, world, role):  # noqa: F811 (the fixture)
    from tests.factories import UserFactory

    user = (
        UserFactory(username="lang-superuser", is_superuser=True, is_staff=True)
        if role == "superuser"
        else world["users"][role]
    )
    world["stranger"] = type(user).objects.get(username="zeta-officer")
    world["inside_ids"], world["outside_ids"] = _side_ids(world)
    world["outside_subject"] = world["outside"]["subjects"][0].pk
    world["outside_unit"] = world["outside"]["subjects"][0].area_id
    client.force_login(user)
    found: dict[str, list[str]] = {}
    for route, pattern in url_patterns():
        if not route.startswith("admin/"):
            continue
        for label, url in _requests(world, route, pattern):
            if label not in ("inside", "form"):
                continue
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            english = english_on(response.content.decode())
            if english:
                found[url] = english
    assert not found, "\n".join(f"{url}: {pieces}" for url, pieces in sorted(found.items()))
