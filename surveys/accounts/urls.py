"""Password reset, public (included under /dang-nhap/). Django's views, Vietnamese templates
in templates/registration/. Django marks these views login_not_required."""
from django.contrib.auth import views as auth_views
from django.urls import path

from surveys.accounts import views as account_views
from surveys.accounts.forms import PasswordResetForm

urlpatterns = [
    path("quen-mat-khau/", auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
         name="password_reset"),
    path("quen-mat-khau/da-gui/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("dat-lai/<uidb64>/<token>/", account_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("dat-lai/xong/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
