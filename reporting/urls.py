"""Public pages (/cong-khai/): published rounds only, no login."""
from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.public_home, name="public_home"),
    path("<str:code>/", views.public_round, name="public_round"),
    path("<str:code>/bao-cao.pdf", views.public_pdf, name="public_pdf"),
]
