from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("accounts/users/", views.user_list, name="user_list"),
    path("accounts/users/new/", views.user_create, name="user_create"),
    path("accounts/users/<int:pk>/password/", views.user_password, name="user_password"),
    path("accounts/users/<int:pk>/active/", views.user_toggle_active, name="user_toggle_active"),
    path("accounts/users/<int:pk>/role/", views.user_role, name="user_role"),
    path("accounts/users/<int:pk>/totp/reset/", views.user_reset_totp, name="user_reset_totp"),
    path("accounts/password/", views.password_change, name="password_change"),
    path("accounts/otp/", views.otp_verify, name="otp_verify"),
    path("accounts/security/", views.security_policy, name="security_policy"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/<int:pk>/", views.audit_detail, name="audit_detail"),
]
