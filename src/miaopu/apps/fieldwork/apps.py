from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "miaopu.apps.fieldwork"
    label = "fieldwork"
    verbose_name = _("基层实践")
