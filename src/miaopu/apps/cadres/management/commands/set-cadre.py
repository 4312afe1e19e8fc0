"""``miaopu set-cadre CODE FIELD=VALUE … --user NAME``: change a cadre from the command line.

``CODE`` is the 人员编号 or the 18-digit 身份证号 (found through its blind index).

The change goes through ``cadre_update`` like a web or API edit: same validation, same scope
checks for the named account, and an audit record with source ``cli``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from miaopu.apps.cadres.models import Cadre
from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.cadres.services import CADRE_FIELDS, cadre_update
from miaopu.apps.core.fields import blind_lookup
from miaopu.apps.core.management.base import cli_actor
from miaopu.apps.units.models import Post, Unit
from miaopu.domain.idcard import looks_like_id_number


def parse_value(field: models.Field, text: str):
    """Turn command-line text into a field value; choices accept the Chinese label or the code."""
    text = text.strip()
    if text == "":
        return None if field.null else ""
    if isinstance(field, models.DateField):
        return dt.date.fromisoformat(text)
    if isinstance(field, models.ForeignKey):
        model = field.related_model
        if model is Unit:
            return Unit.objects.get(name=text)
        if model is Post:
            return Post.objects.get(pk=int(text))
    if field.choices:
        for code, label in field.choices:
            if text in (code, str(label)):
                return code
        raise ValueError(_("可选值：%(v)s") % {"v": "、".join(str(label) for _c, label in field.choices)})
    return text


class Command(BaseCommand):
    help = _("修改一名干部的信息（经由与网页相同的服务，记入审计日志，来源为命令行）")

    def add_arguments(self, parser):
        parser.add_argument("code", help=_("人员编号或身份证号"))
        parser.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
        parser.add_argument("--user", required=True, help=_("以哪个账号的身份修改"))

    def handle(self, *args, code, assignments, user, **options):
        actor = cli_actor(user)
        lookup = Q(code=code)
        if looks_like_id_number(code):
            lookup |= blind_lookup("id_number_index", code)  # the ID number is encrypted: match its blind index
        try:
            cadre = cadre_list(user=actor.user).get(lookup)
        except Cadre.DoesNotExist as exc:
            raise CommandError(_("找不到人员编号为“%(c)s”的干部，或不在您的管理范围内。") % {"c": code}) from exc
        data = {}
        for item in assignments:
            name, sep, text = item.partition("=")
            if not sep or name not in CADRE_FIELDS:
                raise CommandError(
                    _("“%(i)s”应写成 字段=值，字段可为：%(f)s") % {"i": item, "f": ", ".join(CADRE_FIELDS)}
                )
            field = Cadre._meta.get_field(name)
            try:
                data[name] = parse_value(field, text)
            except (ValueError, Unit.DoesNotExist, Post.DoesNotExist) as exc:
                raise CommandError(f"{name}={text}: {exc}") from exc
        try:
            cadre_update(actor=actor, cadre=cadre, data=data)
        except ValidationError as exc:
            lines = (
                [f"{k}: {'；'.join(v)}" for k, v in exc.message_dict.items()]
                if hasattr(exc, "error_dict")
                else exc.messages
            )
            raise CommandError("\n".join(lines)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_("已修改 %(n)s（%(c)s）：%(f)s") % {"n": cadre.name, "c": cadre.code, "f": ", ".join(data)})
