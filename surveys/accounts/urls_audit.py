"""Nhật ký (audit trail), mounted at /nhat-ky/: read-only pages for supervisors."""
from django.urls import path

from surveys.accounts import audit_views

app_name = "audit"
urlpatterns = [
    path("", audit_views.audit_list, name="audit_list"),
    path("xlsx/", audit_views.audit_xlsx, name="audit_xlsx"),
]
