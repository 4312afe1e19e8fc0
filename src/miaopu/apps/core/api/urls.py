from django.urls import path

from .views import ApiRootView, MeView, ObtainTokenView

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
]
