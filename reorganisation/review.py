"""The review of a divided unit's subjects: which new units an officer may choose, and confirming one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import AdministrativeUnit, Subject, UnitLevel
from evaluations.signals import subjects_bulk_changed

from .models import ReorganisationStep, ReviewItem, SubjectMove


def review_item_choices(*, item: ReviewItem) -> list[AdministrativeUnit]:
    """The units an officer may choose for a review item: the new units of its divided old unit."""
    news = list(
        AdministrativeUnit.objects.filter(
            pk__in=ReorganisationStep.objects.filter(
                reorganisation=item.reorganisation, old_unit=item.old_unit
            ).values("new_unit")
        )
    )
    if item.proposed_unit not in news:
        news.insert(0, item.proposed_unit)
    if item.old_unit.level in (UnitLevel.PROVINCE, UnitLevel.DISTRICT):
        # An abolished district's subject may stay at the province or go to one of its communes.
        news += list(item.proposed_unit.get_children().filter(level=UnitLevel.COMMUNE).current())
    return news


@transaction.atomic
def review_item_confirm(*, item: ReviewItem, unit: AdministrativeUnit, user) -> ReviewItem:
    """Confirm the proposed unit or choose another; the subject moves when another unit is chosen."""
    item = ReviewItem.objects.select_for_update().select_related("subject__area", "reorganisation").get(pk=item.pk)
    if unit not in review_item_choices(item=item):
        raise ValidationError(
            _("“%(unit)s” is not one of the new units of %(old)s.") % {"unit": unit, "old": item.old_unit}
        )
    subject = item.subject
    area = subject.area
    if area.level == UnitLevel.VILLAGE:
        current_commune = area.get_parent()
        if current_commune.pk != unit.pk:
            if unit.level == UnitLevel.COMMUNE:
                # The part of the village that went to the other commune: the same village name there.
                target = unit.get_children().filter(name=area.name, level=UnitLevel.VILLAGE).first()
                if target is None:
                    target = AdministrativeUnit.objects.get(pk=unit.pk).add_child(
                        name=area.name,
                        short_name=area.short_name,
                        level=UnitLevel.VILLAGE,
                        unit_type=area.unit_type,
                        code=None,
                        valid_from=item.reorganisation.effective_date,
                    )
            else:
                target = unit
            _move(item, subject, area, target, user)
    elif area.pk != unit.pk:
        _move(item, subject, area, unit, user)
    item.chosen_unit = unit
    item.confirmed_by = user
    item.confirmed_at = timezone.now()
    item.save(update_fields=["chosen_unit", "confirmed_by", "confirmed_at"])
    return item


def _move(item, subject, from_area, to_area, user) -> None:
    """Move ``subject`` (a review item's) onto ``to_area`` and record the move."""
    if to_area.level not in subject.specific.allowed_area_levels:
        raise ValidationError(
            _("A %(kind)s cannot be attached to “%(unit)s”.") % {"kind": subject.get_kind_display(), "unit": to_area}
        )
    Subject.objects.filter(pk=subject.pk).update(area=to_area, updated_at=timezone.now())
    subjects_bulk_changed.send(sender=Subject, subject_ids=[subject.pk])
    SubjectMove.objects.create(
        reorganisation=item.reorganisation, subject=subject, from_area=from_area, to_area=to_area, moved_by=user
    )
