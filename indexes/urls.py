from django.urls import path

from . import dashboard_views as dash
from . import views

app_name = "indexes"
urlpatterns = [
    path("", dash.dashboard_home, name="dashboard_home"),
    path("<str:code>/", views.round_indexes, name="round_indexes"),
    path("<str:code>/json/", views.round_indexes_json, name="round_indexes_json"),
    path("<str:code>/xlsx/", views.round_indexes_xlsx, name="round_indexes_xlsx"),
    path("<str:code>/tinh-lai/", views.round_recompute, name="round_recompute"),
    path("<str:code>/cach-tinh/<str:scope>/", views.round_explain, name="round_explain_province"),
    path("<str:code>/cach-tinh/<str:scope>/<path:scope_code>/", views.round_explain, name="round_explain"),
    # Dashboards (issue 6 §4); each page also answers ?tai=xlsx with its tables.
    path("<str:code>/tong-quan/", dash.dashboard_overview, name="dashboard_overview"),
    path("<str:code>/theo-cap/", dash.dashboard_levels, name="dashboard_levels"),
    path("<str:code>/xep-hang/", dash.dashboard_ranking, name="dashboard_ranking"),
    path("<str:code>/co-quan/<str:agency_code>/", dash.dashboard_agency, name="dashboard_agency"),
    path("<str:code>/theo-linh-vuc/", dash.dashboard_domains, name="dashboard_domains"),
    path("<str:code>/qua-trinh/", dash.dashboard_process, name="dashboard_process"),
    path("<str:code>/nguoi-tra-loi/", dash.dashboard_demographics, name="dashboard_demographics"),
    path("<str:code>/xu-huong/", dash.dashboard_trends, name="dashboard_trends"),
    path("<str:code>/chi-tieu/", dash.dashboard_targets, name="dashboard_targets"),
    path("<str:code>/trang-thai/", dash.computed_status, name="computed_status"),
]
