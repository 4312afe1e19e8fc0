from rest_framework.routers import SimpleRouter

from .views import PostViewSet, UnitViewSet

router = SimpleRouter()
router.register("units", UnitViewSet, basename="api-unit")
router.register("posts", PostViewSet, basename="api-post")

urlpatterns = router.urls
