from rest_framework.routers import SimpleRouter

from .views import BatchViewSet, CandidateViewSet, PlacementViewSet, ProgrammeTemplateViewSet

router = SimpleRouter()
router.register("programme-templates", ProgrammeTemplateViewSet, basename="api-programme-template")
router.register("programme-batches", BatchViewSet, basename="api-programme-batch")
router.register("programme-candidates", CandidateViewSet, basename="api-programme-candidate")
router.register("programme-placements", PlacementViewSet, basename="api-programme-placement")

urlpatterns = router.urls
