from django.urls import path

from . import views

app_name = "indexes"
urlpatterns = [
    path("<str:code>/", views.round_indexes, name="round_indexes"),
    path("<str:code>/json/", views.round_indexes_json, name="round_indexes_json"),
    path("<str:code>/xlsx/", views.round_indexes_xlsx, name="round_indexes_xlsx"),
    path("<str:code>/tinh-lai/", views.round_recompute, name="round_recompute"),
    path("<str:code>/cach-tinh/<str:scope>/", views.round_explain, name="round_explain_province"),
    path("<str:code>/cach-tinh/<str:scope>/<path:scope_code>/", views.round_explain, name="round_explain"),
]
