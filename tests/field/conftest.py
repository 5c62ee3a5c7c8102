"""The field app's tests share a commune officer of commune A, signed in, and the default 100-point set."""

import pytest

from evaluations import roles
from tests.factories import make_criteria_set, make_officer


@pytest.fixture
def criteria_set(db):
    return make_criteria_set()


@pytest.fixture
def officer(areas):
    return make_officer(roles.COMMUNE_OFFICER, areas["commune_a"], username="officer-a")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client
