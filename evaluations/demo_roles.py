"""Demo users, one per role, with their areas: so a newcomer can see access by area at work."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from . import roles
from .models import AdministrativeUnit, AreaAssignment

#: username -> (full name, role, GSO codes of the assigned units, valid before 1/7/2025)
DEMO_ROLE_USERS = {
    "tinh": ("Cán bộ Hội tỉnh", roles.PROVINCIAL_OFFICER, ("58",)),
    "xa-phuochai": ("Cán bộ Hội xã Phước Hải", roles.COMMUNE_OFFICER, ("22894",)),
    "thamdinh-phuochai": ("Người thẩm định xã Phước Hải", roles.COMMUNE_REVIEWER, ("22894",)),
    "truyenthong": ("Cán bộ truyền thông", roles.COMMUNICATIONS, ()),
    "kiemtra-ninhphuoc": ("Kiểm tra viên huyện Ninh Phước", roles.AUDITOR, ("587",)),
}


def ensure_role_users(password: str) -> list[str]:
    """Create the demo users that are missing (idempotent); returns the usernames created."""
    created = []
    User = get_user_model()
    for username, (full_name, role, codes) in DEMO_ROLE_USERS.items():
        first, _, last = full_name.rpartition(" ")
        user, was_created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "is_staff": True}
        )
        if was_created:
            user.set_password(password)
            user.save(update_fields=["password"])
            created.append(username)
        user.groups.add(Group.objects.get(name=role))
        # The demo's villages hang under the units in force before 1/7/2025.
        for unit in AdministrativeUnit.objects.filter(code__in=codes, valid_to__isnull=False):
            AreaAssignment.objects.get_or_create(user=user, area=unit)
    return created
