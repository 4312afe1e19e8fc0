from rest_framework.routers import SimpleRouter

from .views import PoolEntryViewSet

router = SimpleRouter()
router.register("pool-entries", PoolEntryViewSet, basename="api-pool-entry")

urlpatterns = router.urls
