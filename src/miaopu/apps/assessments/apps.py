from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "miaopu.apps.assessments"
    label = "assessments"
    verbose_name = _("考核与研判")
