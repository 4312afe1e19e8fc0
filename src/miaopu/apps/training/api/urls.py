from rest_framework.routers import SimpleRouter

from .views import CourseViewSet, EnrolmentViewSet, ResearchTopicViewSet, TrainingClassViewSet, TrainingOrderViewSet

router = SimpleRouter()
router.register("training/courses", CourseViewSet, basename="api-training-course")
router.register("training/classes", TrainingClassViewSet, basename="api-training-class")
router.register("training/enrolments", EnrolmentViewSet, basename="api-training-enrolment")
router.register("training/orders", TrainingOrderViewSet, basename="api-training-order")
router.register("training/topics", ResearchTopicViewSet, basename="api-training-topic")

urlpatterns = router.urls
