from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.utils.cache import add_never_cache_headers

#: Pages under these prefixes carry personnel data and must never be cached by browsers or proxies.
PERSONNEL_PREFIXES = ("/cadres/", "/units/", "/api/", "/audit/", "/mentoring/", "/exchange/")

#: The bundled Swagger UI and Redoc pages start themselves with an inline script and inline styles, Redoc
#: runs a worker from a blob: URL and both draw icons from data: URLs. Only these pages get that allowance.
API_DOC_PATHS = ("/api/docs/", "/api/redoc/")
API_DOC_ALLOWANCE = {
    "script-src": ["'unsafe-inline'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "worker-src": ["'self'", "blob:"],
}


class PersonnelCacheControlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PERSONNEL_PREFIXES) or request.path == "/":
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with the strict policy of ``settings.CONTENT_SECURITY_POLICY`` everywhere but the API docs."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(API_DOC_PATHS):
            parts.update = {**(parts.update or {}), **API_DOC_ALLOWANCE}
        return parts
