"""Public online questionnaire (/phieu/): no login (views marked @login_not_required)."""
from django.urls import path

from surveys.sampling import online_views

app_name = "online"
urlpatterns = [
    path("cam-on/", online_views.thanks, name="thanks"),
    path("t/<str:token>/", online_views.token_form, name="token"),
    path("<str:code>/<str:agency_code>/<str:domain_code>/", online_views.desk_form, name="desk"),
]
