from rest_framework.routers import SimpleRouter

from .views import AssessmentViewSet, CycleViewSet, ReviewViewSet

router = SimpleRouter()
router.register("assessment-cycles", CycleViewSet, basename="api-assessment-cycle")
router.register("assessments", AssessmentViewSet, basename="api-assessment")
router.register("reviews", ReviewViewSet, basename="api-review")

urlpatterns = router.urls
