from rest_framework.routers import SimpleRouter

from .views import (
    AlertViewSet,
    GuidanceRecordViewSet,
    MentorshipViewSet,
    MentorViewSet,
    PairingProposalViewSet,
    PairingRunViewSet,
)

router = SimpleRouter()
router.register("mentors", MentorViewSet, basename="api-mentor")
router.register("mentorships", MentorshipViewSet, basename="api-mentorship")
router.register("guidance-records", GuidanceRecordViewSet, basename="api-guidance-record")
router.register("pairing-runs", PairingRunViewSet, basename="api-pairing-run")
router.register("pairing-proposals", PairingProposalViewSet, basename="api-pairing-proposal")
router.register("mentoring-alerts", AlertViewSet, basename="api-mentoring-alert")

urlpatterns = router.urls
