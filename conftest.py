import os

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests check behaviour, not speed: on a shared 2-core CI machine a per-example deadline only adds flakes.
hypothesis_settings.register_profile("miaopu", deadline=None)
hypothesis_settings.load_profile("miaopu")

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def city(db):
    from miaopu.apps.core.testing import build_city

    return build_city()


@pytest.fixture
def client_for(client, city):
    """``client_for("orgdept")`` → a test client logged in as that role of the hand-built city."""
    from django.test import Client

    def make(role: str) -> Client:
        c = Client()
        c.force_login(city.users[role])
        return c

    return make
