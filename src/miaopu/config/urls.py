from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from miaopu.apps.core.api.views import OfflineRedocView
from miaopu.apps.jobs.views import healthz

api_patterns = [
    path("", include("miaopu.apps.core.api.urls")),
    path("", include("miaopu.apps.units.api.urls")),
    path("", include("miaopu.apps.cadres.api.urls")),
    path("", include("miaopu.apps.programmes.api.urls")),
    path("", include("miaopu.apps.growth.api.urls")),
    path("", include("miaopu.apps.assessments.api.urls")),
    path("", include("miaopu.apps.pools.api.urls")),
    path("", include("miaopu.apps.analytics.api.urls")),
    path("", include("miaopu.apps.matching.api.urls")),
    path("", include("miaopu.apps.mentoring.api.urls")),
    path("", include("miaopu.apps.fieldwork.api.urls")),
    path("", include("miaopu.apps.training.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", OfflineRedocView.as_view(url_name="schema"), name="api-redoc"),
]

urlpatterns = [
    path("", include("miaopu.apps.core.urls")),
    path("", include("miaopu.apps.accounts.urls")),
    path("units/", include("miaopu.apps.units.urls")),
    path("cadres/", include("miaopu.apps.cadres.urls")),
    path("programmes/", include("miaopu.apps.programmes.urls")),
    path("growth/", include("miaopu.apps.growth.urls")),
    path("assessments/", include("miaopu.apps.assessments.urls")),
    path("pools/", include("miaopu.apps.pools.urls")),
    path("matching/", include("miaopu.apps.matching.urls")),
    path("exchange/", include("miaopu.apps.exchange.urls")),
    path("analytics/", include("miaopu.apps.analytics.urls")),
    path("mentoring/", include("miaopu.apps.mentoring.urls")),
    path("fieldwork/", include("miaopu.apps.fieldwork.urls")),
    path("training/", include("miaopu.apps.training.urls")),
    path("jobs/", include("miaopu.apps.jobs.urls")),
    path("healthz", healthz, name="healthz"),
    path("api/", include(api_patterns)),
    path("i18n/", include("django.conf.urls.i18n")),
]
