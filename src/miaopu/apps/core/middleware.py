from __future__ import annotations

from django.utils.cache import add_never_cache_headers

#: Pages under these prefixes carry personnel data and must never be cached by browsers or proxies.
PERSONNEL_PREFIXES = ("/cadres/", "/units/", "/api/", "/audit/", "/mentoring/", "/exchange/")


class PersonnelCacheControlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PERSONNEL_PREFIXES) or request.path == "/":
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response
