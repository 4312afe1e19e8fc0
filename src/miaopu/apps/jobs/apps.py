from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "miaopu.apps.jobs"
    label = "jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (registers the job kinds)
