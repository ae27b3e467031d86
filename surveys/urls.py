from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("<str:code>/", views.round_overview, name="round_overview"),
    path("<str:code>/nhap-bang-tinh/", views.round_import, name="round_import"),
]
