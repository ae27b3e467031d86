from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="surveys:round_list", permanent=False)),
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("quan-tri/", admin.site.urls),
    path("dot/", include("surveys.urls")),
    path("chi-so/", include("indexes.urls")),
]

admin.site.site_header = "Quản trị Cổng SIPAS"
admin.site.site_title = "Cổng SIPAS"
admin.site.index_title = "Quản trị dữ liệu"
