"""Sign-in, sign-out and the home page: what each role needs first after logging in."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import CharField, Count, F, Func, IntegerField, Q, Sum, Value
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from miaopu.apps.cadres.filtersets import birth_bounds_for_age
from miaopu.apps.cadres.selectors import cadre_list
from miaopu.apps.core.access import scope_root
from miaopu.apps.core.choices import Role
from miaopu.domain.vocab import PARTY_STATUSES, CadreStatus, Gender

from .navigation import console_url


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link or an image tag cannot sign a user out."""


class _BirthYear(Func):
    """The year of a date column, natively (Django's SQLite ``ExtractYear`` calls back into Python per row)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, conn, **extra):
        return self.as_sql(compiler, conn, template="CAST(SUBSTR(%(expressions)s, 1, 4) AS INTEGER)", **extra)

    def as_postgresql(self, compiler, conn, **extra):
        return self.as_sql(compiler, conn, template="CAST(EXTRACT(YEAR FROM %(expressions)s) AS INTEGER)", **extra)


class _MonthDay(Func):
    """``MM-DD`` of a date column, so "birthday still ahead this year" is one string comparison."""

    output_field = CharField()

    def as_sqlite(self, compiler, conn, **extra):
        return self.as_sql(compiler, conn, template="SUBSTR(%(expressions)s, 6, 5)", **extra)

    def as_postgresql(self, compiler, conn, **extra):
        return self.as_sql(compiler, conn, template="TO_CHAR(%(expressions)s, 'MM-DD')", **extra)


def _birth_year_and_birthday_ahead(today: dt.date):
    if connection.vendor in ("sqlite", "postgresql"):
        ahead = Q(_md__gt=Value(f"{today:%m-%d}"))
        return _BirthYear(F("birth_date")), ahead, {"_md": _MonthDay(F("birth_date"))}
    ahead = Q(birth_date__month__gt=today.month) | Q(birth_date__month=today.month, birth_date__day__gt=today.day)
    return ExtractYear("birth_date"), ahead, {}


def scope_summary(user, today: dt.date | None = None) -> dict:
    """The figures a report asks for, over the active cadres in the user's scope, in one aggregate query.

    Average age is the mean of ages in full years (周岁), as reports state it; it is computed in the
    database from the birth year and whether this year's birthday has passed, so it needs no row scan
    in Python and works the same on SQLite and PostgreSQL.
    """
    today = today or dt.date.today()
    young_age = settings.MIAOPU["YOUNG_CADRE_MAX_AGE"]
    birth_year, birthday_ahead, helpers = _birth_year_and_birthday_ahead(today)
    qs = cadre_list(user=user).filter(status=CadreStatus.ACTIVE).alias(**helpers)
    row = qs.aggregate(
        total=Count("id"),
        young=Count("id", filter=Q(**birth_bounds_for_age(None, young_age, today))),
        women=Count("id", filter=Q(gender=Gender.FEMALE)),
        non_party=Count("id", filter=~Q(political_status__in=list(PARTY_STATUSES))),
        year_sum=Sum(birth_year),
        birthday_ahead=Count("id", filter=birthday_ahead),
    )
    total = row["total"] or 0
    average_age = None
    if total:
        age_sum = total * today.year - (row["year_sum"] or 0) - row["birthday_ahead"]
        average_age = round(age_sum / total, 1)
    base = reverse("cadres:cadre_list") + f"?status={CadreStatus.ACTIVE}"
    return {
        "total": total,
        "young": row["young"],
        "young_age": young_age,
        "women": row["women"],
        "non_party": row["non_party"],
        "average_age": average_age,
        "links": {
            "total": base,
            "young": f"{base}&age_max={young_age}",
            "women": f"{base}&gender={Gender.FEMALE}",
            "non_party": f"{base}&party=no",
        },
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict = {"role": user.role}
    if user.role in (Role.ORGDEPT, Role.UNIT_OFFICER):
        context["scope"] = scope_root(user)
        if context["scope"] is not None:
            if apps.is_installed("miaopu.apps.analytics"):
                from miaopu.apps.analytics.views import home_context

                # The dashboard counts the same figures: reuse them instead of a second scan of the cadres.
                context["dashboard"] = home_context(request)
            dashboard = context.get("dashboard")
            context["summary"] = dashboard["summary"] if dashboard else scope_summary(user)
    elif user.role == Role.MENTOR:
        from miaopu.apps.mentoring.models import Mentorship

        mentees = list(cadre_list(user=user).select_related(None).select_related("unit").order_by("name"))
        roles: dict[int, list[str]] = {}
        for ship in Mentorship.objects.filter(mentor__user=user, is_active=True, mentee__in=[m.pk for m in mentees]):
            roles.setdefault(ship.mentee_id, []).append(ship.get_role_display())
        context["mentees"] = [(m, "、".join(roles.get(m.pk, []))) for m in mentees]
    elif user.role == Role.CADRE:
        context["own"] = cadre_list(user=user).first()
    else:
        context["console_url"] = console_url(user)
    return render(request, "core/home.html", context)
