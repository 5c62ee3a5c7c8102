from tests.factories import FamilyFactory


def test_family_display_name_follows_head_of_household(areas):
    family = FamilyFactory(head_name="Nguyễn Văn An", head_title="ông", area=areas["village_a1"])
    assert family.name == "Gia đình ông Nguyễn Văn An"
    assert family.kind == "family"
