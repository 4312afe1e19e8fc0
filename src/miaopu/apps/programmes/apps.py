from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "miaopu.apps.programmes"
    label = "programmes"
    verbose_name = _("培养项目")
