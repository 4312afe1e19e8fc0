def navigation(request):
    """The menu a role sees (filled in by the web UI)."""
    from miaopu.apps.core.navigation import menu_for

    return {"nav_menu": menu_for(request.user) if request.user.is_authenticated else []}
