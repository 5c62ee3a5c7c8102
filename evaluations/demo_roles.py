"""Demo users, one per role, with their areas: so a newcomer can see access by area at work."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from . import roles
from .models import AdministrativeUnit, AreaAssignment

#: username -> (full name, role, GSO codes of the assigned units, in force today: the two-tier Khánh Hòa).
#: Officers of today's units also reach the units that went into them (Xã Ninh Phước: the former Xã Phước
#: Hải, Xã Phước Thuận and Thị trấn Phước Dân), so their past years are theirs too.
DEMO_ROLE_USERS = {
    "tinh": ("Cán bộ Hội tỉnh", roles.PROVINCIAL_OFFICER, ("56",)),
    "xa-ninhphuoc": ("Cán bộ Hội xã Ninh Phước", roles.COMMUNE_OFFICER, ("22870",)),
    "thamdinh-ninhphuoc": ("Người thẩm định xã Ninh Phước", roles.COMMUNE_REVIEWER, ("22870",)),
    "truyenthong": ("Cán bộ truyền thông", roles.COMMUNICATIONS, ()),
    "kiemtra-phanrang": ("Kiểm tra viên phường Phan Rang", roles.AUDITOR, ("22759",)),
}


def ensure_role_users(password: str) -> list[str]:
    """Create the demo users that are missing (idempotent); returns the usernames created."""
    created = []
    User = get_user_model()
    for username, (full_name, role, codes) in DEMO_ROLE_USERS.items():
        first, _, last = full_name.rpartition(" ")
        user, was_created = User.objects.get_or_create(
            username=username,
            # An address on the reserved example domain: workflow notices reach the console (or a test SMTP).
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": True,
                "email": f"{username}@khuyenhoc.example",
            },
        )
        if was_created:
            user.set_password(password)
            user.save(update_fields=["password"])
            created.append(username)
        user.groups.add(Group.objects.get(name=role))
        for unit in AdministrativeUnit.objects.current().filter(code__in=codes):
            AreaAssignment.objects.get_or_create(user=user, area=unit)
    return created
