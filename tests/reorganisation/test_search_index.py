"""The search index follows the reorganisation: subjects it moves (applying it, or confirming a review
item onto another unit) are found under their new unit, and communities renamed with their village
under their new name."""

import pytest

from evaluations.models import LearningCommunity, Subject
from reorganisation.models import ReviewItem
from reorganisation.review import review_item_confirm
from reorganisation.services import reorganisation_apply, reorganisation_create_official
from search.models import ObjectType, SearchEntry
from search.selectors import public_search
from tests.factories import UserFactory, make_decision, make_recognised

from .conftest import new, old, village

pytestmark = pytest.mark.django_db


def found(text: str) -> set[int]:
    """Ids of the learning models the public search lists for ``text``."""
    return {item.object.pk for item in public_search(text=text).items if item.object_type == ObjectType.SUBJECT}


def entry(subject: Subject) -> SearchEntry:
    return SearchEntry.objects.get(object_type=ObjectType.SUBJECT, object_id=subject.pk)


def recognise(*subjects: Subject) -> None:
    for subject in subjects:
        make_recognised(subject, make_decision(subject.area, number=f"{subject.pk}/QĐ-UBND"))


def test_moved_subjects_are_found_under_their_new_unit(world):
    family, clan = world["families"]["tu_thien"][0], world["clans"]["phuoc_hai"]
    recognise(family, clan)
    assert {family.pk, clan.pk} <= found("Phước Hải Ninh Thuận")

    reorganisation_apply(reorganisation=reorganisation_create_official())

    family.refresh_from_db()
    clan.refresh_from_db()
    assert family.area.get_parent() == new("Xã Ninh Phước")
    assert clan.area == new("Xã Ninh Phước")
    # The public finds them by their new commune and province, no longer by the former ones.
    assert {family.pk, clan.pk} <= found("Ninh Phước Khánh Hòa")
    assert not {family.pk, clan.pk} & found("Phước Hải Ninh Thuận")
    # Access by area (officers' searches, facets) reads the entry's unit: the new one.
    assert entry(family).area_path == family.area.path
    assert (entry(clan).area_path, entry(clan).summary) == (clan.area.path, "Xã Ninh Phước")


def test_a_community_renamed_with_its_village_is_found_by_its_new_name(world):
    # Xã Phước Thuận merges into Xã Ninh Phước with Xã Phước Hải: both have a Thôn Từ Thiện.
    community = LearningCommunity.objects.create(area=village("Thôn Từ Thiện", old("Xã Phước Thuận")))
    recognise(community)

    reorganisation_apply(reorganisation=reorganisation_create_official())

    assert community.pk in found("Cộng đồng học tập Thôn Từ Thiện (Phước Thuận) Khánh Hòa")
    assert entry(community).title == "Cộng đồng học tập Thôn Từ Thiện (Phước Thuận)"


def test_a_subject_moved_by_a_review_is_found_under_the_unit_chosen(world):
    clan = world["clans"]["dong_hai"]
    recognise(clan)
    reorganisation_apply(reorganisation=reorganisation_create_official())
    item = ReviewItem.objects.get(subject=clan)

    review_item_confirm(item=item, unit=new("Xã Phước Dinh"), user=UserFactory(is_superuser=True))

    clan.refresh_from_db()
    assert clan.area == new("Xã Phước Dinh")
    assert clan.pk in found("Phước Dinh")
    assert entry(clan).area_path == clan.area.path
