"""Trình soạn bộ câu hỏi, mounted at /bo-cau-hoi/ (Sở Nội vụ staff)."""
from django.urls import path

from surveys.questionnaires import views

app_name = "builder"
urlpatterns = [
    path("", views.questionnaire_list, name="questionnaire_list"),
    path("moi/", views.questionnaire_create, name="questionnaire_create"),
    path("<str:qcode>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("<str:qcode>/xem-truoc/", views.questionnaire_preview, name="questionnaire_preview"),
    path("<str:qcode>/sao-chep/", views.questionnaire_copy, name="questionnaire_copy"),
    path("<str:qcode>/phan/", views.section_save, name="section_save"),
    path("<str:qcode>/yeu-to/", views.factor_save, name="factor_save"),
    path("<str:qcode>/cau-hoi/moi/", views.question_create, name="question_create"),
    path("<str:qcode>/cau-hoi/<int:question_id>/", views.question_edit, name="question_edit"),
]
