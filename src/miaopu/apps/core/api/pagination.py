"""Page-number pagination for every list endpoint: 50 rows by default, the client may ask for up to 500."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """A roster of a whole district fits in a few pages; 500 caps what one request may pull out at once."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
