"""Kế hoạch cải thiện chỉ số, mounted at /ke-hoach/."""
from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("moi/", views.plan_create, name="plan_create"),
    path("qua-han/", views.overdue_list, name="overdue_list"),
    path("qua-han/xlsx/", views.overdue_xlsx, name="overdue_xlsx"),
    path("<int:plan_id>/", views.plan_detail, name="plan_detail"),
    path("<int:plan_id>/sua/", views.plan_edit, name="plan_edit"),
    path("<int:plan_id>/xoa/", views.plan_delete, name="plan_delete"),
    path("<int:plan_id>/phu-luc.pdf", views.appendix_pdf, name="appendix_pdf"),
    path("<int:plan_id>/phu-luc.xlsx", views.appendix_xlsx, name="appendix_xlsx"),
    path("<int:plan_id>/nhiem-vu/moi/", views.task_create, name="task_create"),
    path("<int:plan_id>/nhiem-vu/<int:task_id>/", views.task_progress, name="task_progress"),
    path("<int:plan_id>/nhiem-vu/<int:task_id>/sua/", views.task_edit, name="task_edit"),
    path("<int:plan_id>/nhiem-vu/<int:task_id>/xoa/", views.task_delete, name="task_delete"),
]
