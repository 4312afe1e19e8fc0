"""Fixtures of the attack tests: a media folder of their own and the two-scope world (see ``scopes.py``)."""

import pytest

from .scopes import World, build_world


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(city, media) -> World:
    return build_world(city, media)
