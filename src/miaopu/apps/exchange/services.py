"""Writes and exports of the exchange app: roster workbooks and 任免审批表 (LRMX) files.

The implementations live in ``roster_import``, ``roster_export`` and ``lrmx_exchange``; this module is the
one import point for views, commands and (later) the background job runner. Every function takes an
``Actor``, checks the actor's role and scope, and audits what it did.
"""

from __future__ import annotations

from .lrmx_exchange import cadre_docx, cadre_lrmx, lrmx_import
from .roster_export import roster_export, template_bytes
from .roster_import import require_importer, roster_import

__all__ = [
    "cadre_docx",
    "cadre_lrmx",
    "lrmx_import",
    "require_importer",
    "roster_export",
    "roster_import",
    "template_bytes",
]
