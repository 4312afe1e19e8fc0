"""``makemessages`` that also extracts ``_l("…")`` (the project's alias for ``gettext_lazy``).

Several modules import ``gettext_lazy as _l`` next to ``gettext as _``; xgettext only knows the keywords
Django passes it, so without this those msgids would never reach the English catalogue.
"""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
