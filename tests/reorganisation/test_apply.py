import datetime
from decimal import Decimal

import pytest

from evaluations.access import restrict_to_user_area
from evaluations.models import AdministrativeUnit, AreaAssignment, Evaluation, RecognitionDecision, Subject
from evaluations.roles import COMMUNE_OFFICER, PROVINCIAL_OFFICER
from reorganisation.models import ReorganisationStatus, ReviewItem
from reorganisation.planning import reorganisation_plan
from reorganisation.review import review_item_confirm
from reorganisation.services import reorganisation_apply, reorganisation_create_official
from reports.models import Target
from reports.rollup import rollup, rollup_mapped
from reports.services import report_submit
from tests.factories import ClanFactory, UserFactory, make_officer

from .conftest import PAST, new, old

pytestmark = pytest.mark.django_db
END = datetime.date(2025, 6, 30)


def totals(result, year):
    """Province totals per indicator: registered, evaluated, recognised."""
    return {
        ind: (f.registered, f.evaluated, f.recognised, dict(f.by_grade))
        for ind, f in result.root.figures[year].items()
    }


@pytest.fixture
def reorg(world):
    return reorganisation_create_official()


def test_preview_counts_what_moves_and_changes_nothing(world, reorg):
    plan = reorganisation_plan(reorganisation=reorg)
    counts = plan.counts
    # Both former provinces of today's Khánh Hòa: Ninh Thuận 62 -> 24 communes, Khánh Hòa 132 -> 41.
    assert counts["old_units"] == 62 + 132
    assert counts["new_units"] == 24 + 41
    assert counts["villages_created"] == 5
    # 8 active families + 2 clans + the district's unit; the inactive family stays.
    assert counts["subjects_moved"] == 11
    # Đông Hải's 4 families and its clan, and the unit of the abolished district.
    assert counts["subjects_to_review"] == 6
    divided = [(o.name, d.name, sorted(n.name for n in news)) for o, d, news in plan.divided]
    assert ("Phường Đông Hải", "Phường Đông Hải", ["Phường Đông Hải", "Xã Phước Dinh"]) in divided
    assert len(divided) == 1 + 7  # and seven communes of Cam Lâm (former Khánh Hòa)
    assert world["families"]["kp1"][0].area == world["villages"]["kp1"]
    assert Subject.objects.get(pk=world["families"]["kp1"][0].pk).area_id == world["villages"]["kp1"].pk
    assert reorg.status == ReorganisationStatus.DRAFT


def test_apply_moves_the_register_and_keeps_history(world, reorg):
    user = UserFactory(username="tinh", is_superuser=True)
    before = {e.pk: e.area_id for e in Evaluation.objects.all()}
    result = reorganisation_apply(reorganisation=reorg, user=user)
    assert result.changed

    reorg.refresh_from_db()
    assert reorg.status == ReorganisationStatus.APPLIED
    assert reorg.applied_by == user and reorg.applied_at is not None
    assert reorg.counts["subjects_moved"] == 11

    # Villages follow their commune: a new village under the new commune, the old one ends on 30/6/2025.
    tu_thien = world["families"]["tu_thien"][0]
    tu_thien.refresh_from_db()
    assert tu_thien.area.name == "Thôn Từ Thiện"
    assert tu_thien.area.get_parent() == new("Xã Ninh Phước")
    assert tu_thien.area.valid_from == datetime.date(2025, 7, 1)
    world["villages"]["tu_thien"].refresh_from_db()
    assert world["villages"]["tu_thien"].valid_to == END
    # Clans of a one-to-one commune go to the new commune; the divided commune's to its default.
    assert Subject.objects.get(pk=world["clans"]["phuoc_hai"].pk).area == new("Xã Ninh Phước")
    assert Subject.objects.get(pk=world["clans"]["dong_hai"].pk).area == new("Phường Đông Hải")
    assert Subject.objects.get(pk=world["unit"].pk).area == world["new_province"]
    assert Subject.objects.get(pk=world["inactive"].pk).area == world["villages"]["tu_thien"]

    # History stays true: evaluations keep the unit as it was.
    assert {e.pk: e.area_id for e in Evaluation.objects.all()} == before

    # Targets carry over for 2025 on: the province's to Khánh Hòa, the commune's to its new commune.
    assert Target.objects.get(area=world["new_province"], year=2025, indicator="family").percent == Decimal(70)
    assert Target.objects.get(area=new("Xã Ninh Phước"), year=2025, indicator="clan").percent == Decimal(50)
    assert not Target.objects.filter(area=world["new_province"], year=2024).exists()


def test_second_apply_changes_nothing(world, reorg):
    reorganisation_apply(reorganisation=reorg)
    units = list(AdministrativeUnit.objects.values_list("pk", "path", "valid_from", "valid_to"))
    areas = list(Subject.objects.values_list("pk", "area_id"))
    targets = Target.objects.count()
    reviews = ReviewItem.objects.count()
    applied_at = reorg.__class__.objects.get(pk=reorg.pk).applied_at

    again = reorganisation_apply(reorganisation=reorganisation_create_official())
    assert not again.changed
    assert reorganisation_plan(reorganisation=reorg).is_empty
    assert list(AdministrativeUnit.objects.values_list("pk", "path", "valid_from", "valid_to")) == units
    assert list(Subject.objects.values_list("pk", "area_id")) == areas
    assert (Target.objects.count(), ReviewItem.objects.count()) == (targets, reviews)
    assert reorg.__class__.objects.get(pk=reorg.pk).applied_at == applied_at


def test_past_year_totals_are_equal_before_and_after_and_mapped(world, reorg):
    before = totals(rollup(root=world["old_province"], years=PAST), PAST)
    assert before["family"][:3] == (8, 6, 4)
    assert before["clan"][:3] == (2, 2, 1)
    assert before["unit"][:3] == (1, 1, 1)

    reorganisation_apply(reorganisation=reorg)

    # The structure of its time: the same figures, village by village.
    after = rollup(root=world["old_province"], years=PAST)
    assert totals(after, PAST) == before
    kp1 = after.node(world["villages"]["kp1"].path).figures[PAST]["family"]
    assert (kp1.registered, kp1.evaluated, kp1.recognised) == (3, 2, 1)

    # Today's structure: the same totals on Khánh Hòa, per new commune.
    mapped = rollup_mapped(root=world["new_province"], years=PAST)
    assert totals(mapped, PAST) == before
    ninh_phuoc = mapped.node(new("Xã Ninh Phước").path).figures[PAST]["family"]
    assert (ninh_phuoc.registered, ninh_phuoc.evaluated, ninh_phuoc.recognised) == (3, 2, 1)
    dong_hai = mapped.node(new("Phường Đông Hải").path).figures[PAST]["family"]
    assert (dong_hai.evaluated, dong_hai.recognised) == (3, 2)


def test_mapped_before_apply_uses_the_official_defaults(world):
    # Before applying, communes map onto their official default (villages with their commune); the
    # district's own unit has no successor yet and is left out.
    before = totals(rollup(root=world["old_province"], years=PAST), PAST)
    mapped = totals(rollup_mapped(root=world["new_province"], years=PAST), PAST)
    for indicator in ("family", "clan"):
        assert mapped[indicator][1:] == before[indicator][1:]


def test_report_snapshots_keep_the_unit_as_it_was(world, reorg):
    user = UserFactory(username="tinh2", is_superuser=True)
    submission = report_submit(area=world["old_province"], year=PAST, user=user, note="")
    frozen = submission.snapshot
    reorganisation_apply(reorganisation=reorg)
    submission.refresh_from_db()
    assert submission.area == world["old_province"]
    assert submission.snapshot == frozen
    assert [a["name"] for a in frozen["areas"]][:2] == ["Tỉnh Ninh Thuận", "Thành phố Phan Rang - Tháp Chàm"]


def test_divided_commune_goes_on_the_review_list_and_officer_may_change(world, reorg):
    reorganisation_apply(reorganisation=reorg)
    items = ReviewItem.objects.filter(old_unit=world["dong_hai"])
    reviewed = {i.subject_id for i in items}
    assert reviewed == {s.pk for s in world["families"]["kp1"] + world["families"]["kp2"]} | {
        world["clans"]["dong_hai"].pk
    }
    assert {i.proposed_unit.name for i in items} == {"Phường Đông Hải"}

    officer = UserFactory(username="officer")
    item = items.get(subject=world["families"]["kp2"][0])
    review_item_confirm(item=item, unit=new("Xã Phước Dinh"), user=officer)
    moved = Subject.objects.get(pk=world["families"]["kp2"][0].pk)
    assert moved.area.name == "Khu phố 2"
    assert moved.area.get_parent() == new("Xã Phước Dinh")
    item.refresh_from_db()
    assert item.chosen_unit == new("Xã Phước Dinh") and item.confirmed_by == officer

    # Confirming the default moves nothing.
    other = items.get(subject=world["families"]["kp1"][0])
    area = Subject.objects.get(pk=other.subject_id).area_id
    review_item_confirm(item=other, unit=new("Phường Đông Hải"), user=officer)
    assert Subject.objects.get(pk=other.subject_id).area_id == area

    # Past year still in the structure of its time.
    kp2 = rollup(root=world["old_province"], years=PAST).node(world["villages"]["kp2"].path)
    assert kp2.figures[PAST]["family"].registered == 1

    # A unit that is not a successor of the divided commune is refused, nothing changes.
    from django.core.exceptions import ValidationError

    third = items.get(subject=world["families"]["kp1"][1])
    with pytest.raises(ValidationError, match="không phải|is not one"):
        review_item_confirm(item=third, unit=new("Xã Ninh Phước"), user=officer)
    third.refresh_from_db()
    assert third.chosen_unit is None


def test_officer_of_a_new_commune_reaches_subjects_moved_into_it(world, reorg):
    families = world["families"]
    phuoc_hai = {s.pk for s in families["tu_thien"] + families["thai_an"]} | {world["clans"]["phuoc_hai"].pk}
    past = {e.pk for e in world["evaluations"] if e.area.path.startswith(world["phuoc_hai"].path)}
    officer = make_officer(COMMUNE_OFFICER, new("Xã Ninh Phước"), username="xa-ninhphuoc")
    # From 1/7/2025 Xã Ninh Phước answers for Xã Phước Hải (its official successor), applied or not.
    reached = set(restrict_to_user_area(Subject.objects.all(), officer).values_list("pk", flat=True))
    assert reached == phuoc_hai | {world["inactive"].pk}
    reorganisation_apply(reorganisation=reorg)
    officer = officer.__class__.objects.get(pk=officer.pk)
    reached = set(restrict_to_user_area(Subject.objects.all(), officer).values_list("pk", flat=True))
    assert reached == phuoc_hai | {world["inactive"].pk}  # the inactive household stays on the old village
    # Past evaluations stay on the old units, and the successor's officers reach them (to decide, to report)...
    assert set(restrict_to_user_area(Evaluation.objects.all(), officer).values_list("pk", flat=True)) == past
    # ...while the other communes' stay out of reach.
    other = make_officer(COMMUNE_OFFICER, new("Xã Phước Hữu"), username="xa-phuochuu-moi")
    assert not restrict_to_user_area(Evaluation.objects.filter(pk__in=past), other).exists()


def test_officers_of_ended_units_are_assigned_the_units_they_went_into(world, reorg):
    commune_officer = make_officer(COMMUNE_OFFICER, old("Xã Phước Hải"), username="xa-phuochai")
    village_officer = make_officer(COMMUNE_OFFICER, world["villages"]["thai_an"], username="thon-thaian")
    district_officer = make_officer(PROVINCIAL_OFFICER, world["district"], username="huyen-ninhphuoc")
    reassigned = make_officer(COMMUNE_OFFICER, old("Xã Phước Hữu"), new("Xã Phước Hữu"), username="xa-phuochuu")
    before = AreaAssignment.objects.count()
    planned = reorganisation_plan(reorganisation=reorg).counts["assignments_copied"]
    assert AreaAssignment.objects.count() == before  # the preview changes nothing
    reorganisation_apply(reorganisation=reorg)
    assert AreaAssignment.objects.count() - before == planned

    def reached(user, model=Subject):
        user = user.__class__.objects.get(pk=user.pk)
        return set(restrict_to_user_area(model.objects.all(), user).values_list("pk", flat=True))

    families, clans = world["families"], world["clans"]
    moved = {s.pk for s in families["tu_thien"] + families["thai_an"]} | {clans["phuoc_hai"].pk}
    # The commune's officer follows its register into the new commune and keeps the years before (the
    # family that had left stays in the old village, reached through the old assignment).
    assert reached(commune_officer) == moved | {world["inactive"].pk}
    assert reached(commune_officer, Evaluation) == {e.pk for e in world["evaluations"] if e.subject_id in moved}
    # A village's officer gets the village's new copy, not the whole new commune.
    assert reached(village_officer) == {families["thai_an"][0].pk}
    # The abolished district's officer gets the new communes of its communes, not the new province.
    new_areas = AreaAssignment.objects.filter(user=district_officer).exclude(area=world["district"])
    assert new_areas.exists()
    assert all(a.area.level == "commune" and a.area.valid_from for a in new_areas)
    assert {new("Xã Ninh Phước"), new("Xã Phước Hữu")} <= {a.area for a in new_areas}
    assert not AreaAssignment.objects.filter(user=district_officer, area=world["new_province"]).exists()
    # Assigned by hand already: not twice. Old assignments stay. A second apply adds nothing.
    assert AreaAssignment.objects.filter(user=reassigned).count() == 2
    assert AreaAssignment.objects.filter(user=commune_officer, area=old("Xã Phước Hải")).exists()
    count = AreaAssignment.objects.count()
    reorganisation_apply(reorganisation=reorganisation_create_official())
    assert AreaAssignment.objects.count() == count


def test_decisions_keep_their_area(world, reorg):
    decision = RecognitionDecision.objects.create(
        kind="recognition",
        number="5/QĐ-UBND",
        decision_date="2024-11-20",
        issuing_body="UBND xã Phước Hải",
        signatory="Chủ tịch",
        area=world["phuoc_hai"],
    )
    reorganisation_apply(reorganisation=reorg)
    decision.refresh_from_db()
    assert decision.area == world["phuoc_hai"]


def test_a_code_already_held_in_the_new_unit_is_kept_apart_not_refused(world, reorg):
    """Codes are unique per kind within a unit (imports match on them). A clan registered in today's Xã Ninh
    Phước with the code of the Phước Hải clan that moves into it: applying still succeeds, the newcomer's
    code gets its id added and its note keeps the old code; the clan already there keeps its code."""
    moving = world["clans"]["phuoc_hai"]
    Subject.objects.filter(pk=moving.pk).update(code="DH01")
    there = ClanFactory(area=new("Xã Ninh Phước"), code="DH01")
    reorganisation_apply(reorganisation=reorg)
    moving.refresh_from_db()
    there.refresh_from_db()
    assert moving.area == new("Xã Ninh Phước")
    assert there.code == "DH01"
    assert moving.code == f"DH01~{moving.pk}"
    assert "Mã trùng trước đây: DH01" in moving.note
    reorg.refresh_from_db()
    assert reorg.counts["codes_kept_apart"] == 1
