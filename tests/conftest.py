import pytest

from tests.factories import UserFactory, make_area_tree


@pytest.fixture
def areas(db):
    """A small province: one district, communes A and B, two villages each."""
    return make_area_tree()


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client
