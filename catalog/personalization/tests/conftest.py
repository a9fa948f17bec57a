"""Fixtures the request tests share."""

import pytest

from artisans.tests.factories import UserFactory


@pytest.fixture
def shopper(client):
    """A shopper signed in on `client`."""
    user = UserFactory()
    client.force_login(user)
    return user
