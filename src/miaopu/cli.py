"""The ``miaopu`` console script: Django's manage.py with Miaopu's settings.

``miaopu demo``, ``miaopu runserver``, ``miaopu migrate`` … Every command that writes
personnel data goes through the same audited services as the web and the API, with
the source recorded as ``cli``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miaopu.config.settings.dev")
    os.environ.setdefault("MIAOPU_AUDIT_SOURCE", "cli")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["miaopu", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
