from django.urls import path

from .views import AlertListView, AlertSummaryView, StatsView, StructureView

urlpatterns = [
    path("analytics/stats/", StatsView.as_view(), name="api-analytics-stats"),
    path("analytics/structure/", StructureView.as_view(), name="api-analytics-structure"),
    path("analytics/alerts/", AlertListView.as_view(), name="api-analytics-alerts"),
    path("analytics/alerts/summary/", AlertSummaryView.as_view(), name="api-analytics-alert-summary"),
]
