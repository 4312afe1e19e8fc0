"""Reads of the unit tree and posts, restricted to the user's scope."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from miaopu.apps.core.access import restrict_posts, restrict_units

from .models import Post, Unit


def unit_list(*, user) -> QuerySet[Unit]:
    return restrict_units(Unit.objects.select_related("parent", "district"), user)


def unit_get(*, user, pk) -> Unit:
    return get_object_or_404(unit_list(user=user), pk=pk)


def post_list(*, user) -> QuerySet[Post]:
    return restrict_posts(Post.objects.select_related("unit"), user)


def post_get(*, user, pk) -> Post:
    return get_object_or_404(post_list(user=user), pk=pk)


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path)
