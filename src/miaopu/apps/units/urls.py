app_name = "units"
urlpatterns: list = []
