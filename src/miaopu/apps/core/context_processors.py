"""Template context every page needs: the role's menu and the installation's name."""

from __future__ import annotations

from django.conf import settings


def navigation(request) -> dict:
    from miaopu.apps.core.navigation import menu_for

    user = getattr(request, "user", None)
    return {
        "nav_menu": menu_for(user, request.path) if user is not None and user.is_authenticated else [],
        "miaopu_city": settings.MIAOPU.get("CITY_NAME", ""),
    }
