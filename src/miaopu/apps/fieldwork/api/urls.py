from rest_framework.routers import SimpleRouter

from .views import CareContactViewSet, LedgerItemViewSet, PracticeBaseViewSet

router = SimpleRouter()
router.register("fieldwork-bases", PracticeBaseViewSet, basename="api-fieldwork-base")
router.register("fieldwork-ledger", LedgerItemViewSet, basename="api-fieldwork-ledger")
router.register("fieldwork-care", CareContactViewSet, basename="api-fieldwork-care")

urlpatterns = router.urls
