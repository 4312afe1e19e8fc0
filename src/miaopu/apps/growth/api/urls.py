from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import GrowthEntryViewSet, PunishmentViewSet, ReadinessView, TalkViewSet, TimelineView

router = SimpleRouter()
router.register("growth-entries", GrowthEntryViewSet, basename="api-growth-entry")
router.register("growth-talks", TalkViewSet, basename="api-growth-talk")
router.register("growth-punishments", PunishmentViewSet, basename="api-growth-punishment")

urlpatterns = [
    path("growth/cadres/<int:pk>/timeline/", TimelineView.as_view(), name="api-growth-timeline"),
    path("growth/readiness/", ReadinessView.as_view(), name="api-growth-readiness"),
    *router.urls,
]
