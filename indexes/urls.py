from django.urls import path

from . import views

app_name = "indexes"
urlpatterns = [
    path("<str:code>/", views.round_indexes, name="round_indexes"),
    path("<str:code>/json/", views.round_indexes_json, name="round_indexes_json"),
    path("<str:code>/xlsx/", views.round_indexes_xlsx, name="round_indexes_xlsx"),
    path("<str:code>/tinh-lai/", views.round_recompute, name="round_recompute"),
]
