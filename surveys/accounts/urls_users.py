"""One's own account and, for Sở Nội vụ administrators, user management (under /tai-khoan/).
No self-registration: accounts are created only by an administrator."""
from django.contrib.auth import views as auth_views
from django.urls import path

from surveys.accounts import views as account_views

urlpatterns = [
    path("", account_views.account, name="account"),
    path("doi-mat-khau/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("dang-xuat-moi-noi/", account_views.logout_everywhere, name="logout_everywhere"),
    path("nguoi-dung/", account_views.user_list, name="user_list"),
    path("nguoi-dung/them/", account_views.user_create, name="user_create"),
    path("nguoi-dung/<int:pk>/", account_views.user_edit, name="user_edit"),
    path("nguoi-dung/<int:pk>/mo-khoa/", account_views.user_unlock, name="user_unlock"),
]
