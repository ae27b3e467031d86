"""The annual report pages (signed-in: Sở Nội vụ staff write and generate, leadership downloads)."""
from django.urls import path

from . import report_views

app_name = "report"
urlpatterns = [
    path("", report_views.report_index, name="index"),
    path("<str:code>/", report_views.report_page, name="page"),
    path("<str:code>/noi-dung/", report_views.save_texts, name="save_texts"),
    path("<str:code>/ban-nhap/", report_views.make_draft, name="draft"),
    path("<str:code>/tao/", report_views.generate, name="generate"),
    path("<str:code>/phien-ban/<int:pk>/trang-thai/", report_views.version_status, name="status"),
    path("<str:code>/phien-ban/<int:pk>/tai/", report_views.download, name="download"),
]
