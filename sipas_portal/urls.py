"""Root URLs. Anonymous visitors reach only /dang-nhap/ (sign-in, password reset),
/cong-khai/ (published results) and /phieu/ (the online questionnaire): every other page
needs a login (django.contrib.auth's LoginRequiredMiddleware)."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from surveys.accounts import views as account_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="surveys:round_list", permanent=False)),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-nhap/", include("surveys.accounts.urls")),  # password reset (public)
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/", include("surveys.accounts.urls_users")),  # own account; users for administrators
    path("nhat-ky/", include("surveys.accounts.urls_audit")),
    path("quan-tri/login/", account_views.admin_login),  # the admin signs in on the portal's page
    path("quan-tri/", admin.site.urls),
    path("dot/", include("surveys.urls")),
    path("chi-so/", include("indexes.urls")),
    path("cong-khai/", include("reporting.urls")),
    path("bo-cau-hoi/", include("surveys.questionnaires.urls")),  # questionnaire builder (Sở Nội vụ)
    path("bao-cao/", include("reporting.urls_report")),  # the annual report (staff, leadership)
    path("phieu/", include("surveys.sampling.urls_online")),  # public online questionnaire
    path("ke-hoach/", include("reporting.plans.urls")),  # kế hoạch cải thiện chỉ số
]

admin.site.site_header = "Quản trị Cổng SIPAS"
admin.site.site_title = "Cổng SIPAS"
admin.site.index_title = "Quản trị dữ liệu"
