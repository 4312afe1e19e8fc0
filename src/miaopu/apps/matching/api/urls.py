from rest_framework.routers import SimpleRouter

from .views import MatchPlanViewSet

router = SimpleRouter()
router.register("matching-plans", MatchPlanViewSet, basename="api-matching-plan")

urlpatterns = router.urls
