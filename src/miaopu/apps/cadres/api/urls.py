from rest_framework.routers import SimpleRouter

from .views import CadreViewSet, ExperienceViewSet

router = SimpleRouter()
router.register("cadres", CadreViewSet, basename="api-cadre")
router.register("experiences", ExperienceViewSet, basename="api-experience")

urlpatterns = router.urls
