"""Account pages: one's own account (tài khoản), password change and reset, logging out of
every device, and user management for Sở Nội vụ administrators (quản lý người dùng).

There is no self-registration: accounts are created here by an administrator (capability
MANAGE_USERS) or in the admin.
"""
from __future__ import annotations

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import get_user_model, logout, password_validation, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from surveys.accounts import audit, users
from surveys.accounts.access import MANAGE_USERS, officer_of, require
from surveys.accounts.forms import OfficerForm, UserFilterForm
from surveys.models import Agency

User = get_user_model()
USERS_PER_PAGE = 50


# ---- own account ---------------------------------------------------------------------------

@require_safe
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    officer = officer_of(user)
    return render(request, "accounts/account.html", {
        "account_user": user,
        "officer": officer,
        "roles": list(user.groups.order_by("name")),
        "password_rules": password_validation.password_validators_help_texts(),
        "entry_agencies": officer.entry_agencies.select_related("level").order_by("level__order", "code")
        if officer else Agency.objects.none(),
    })


class PasswordChangeView(auth_views.PasswordChangeView):
    """Đổi mật khẩu. Django's view keeps this session (update_session_auth_hash); every other
    session of the user ends because its stored password hash no longer matches."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(action=audit.AuditAction.PASSWORD_CHANGED, target=form.user, actor=form.user)
        return response


@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    count = users.logout_everywhere(user=request.user, actor=request.user)
    logout(request)
    messages.success(
        request,
        f"Đã đăng xuất khỏi mọi thiết bị ({count} phiên đăng nhập đã kết thúc). Hãy đăng nhập lại.",
    )
    return redirect("login")


# ---- password reset (public) --------------------------------------------------------------

class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Đặt mật khẩu mới từ liên kết trong thư; recorded in the audit trail as the user's act.
    Whoever holds the mailbox owns the account, so a lockout from wrong passwords ends too."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        audit.record(action=audit.AuditAction.PASSWORD_RESET, target=form.user, actor=form.user, note="qua liên kết trong thư")
        return response


# ---- the admin site's login page -----------------------------------------------------------

@login_not_required
@require_safe
def admin_login(request: HttpRequest) -> HttpResponse:
    """/quan-tri/login/: everyone signs in on the portal's page (with its lockout).

    The admin sends a signed-in user without admin access here too; redirecting them to the
    login page would bounce straight back (it redirects signed-in users), so they get a 403.
    """
    if not request.user.is_authenticated:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponseRedirect(reverse("login") + (f"?{query}" if query else ""))
    if request.user.is_active and request.user.is_staff:
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            target = reverse("admin:index")
        return HttpResponseRedirect(target)
    raise PermissionDenied("Tài khoản của bạn không có quyền vào trang quản trị.")


# ---- user management -----------------------------------------------------------------------

def _users_queryset():
    return User.objects.select_related("officer__agency").prefetch_related(
        Prefetch("groups", queryset=Group.objects.order_by("name"))
    )


@require_safe
def user_list(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_USERS)
    form = UserFilterForm(request.GET or None)
    qs = _users_queryset().order_by("username")
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(
                Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
                | Q(email__icontains=q) | Q(officer__agency__code__icontains=q)
                | Q(officer__agency__name__icontains=q)
            )
        if form.cleaned_data["vai_tro"]:
            qs = qs.filter(groups__name=form.cleaned_data["vai_tro"])
        if form.cleaned_data["trang_thai"]:
            qs = qs.filter(is_active=form.cleaned_data["trang_thai"] == "hoat-dong")
    page = Paginator(qs.distinct(), USERS_PER_PAGE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(request, "accounts/user_list.html", {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "filtered": any(request.GET.get(k) for k in ("q", "vai_tro", "trang_thai")),
        "locked": users.locked_usernames(),
    })


@require_http_methods(["GET", "HEAD", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_USERS)
    form = OfficerForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = users.create_officer(
                username=data["username"], full_name=data["full_name"], email=data["email"],
                roles=data["roles"], agency=data["agency"], entry_agencies=data["entry_agencies"],
                password=data["password1"], actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Đã tạo tài khoản “{user.get_username()}”.")
            return redirect("user_list")
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "HEAD", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE_USERS)
    user = get_object_or_404(_users_queryset(), pk=pk)
    if not users.can_edit(actor=request.user, user=user):
        raise PermissionDenied("Chỉ quản trị hệ thống mới được sửa tài khoản quản trị hệ thống.")
    form = OfficerForm(request.POST or None, user=user, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            updated = users.update_officer(
                user=user, actor=request.user, full_name=data["full_name"], email=data["email"],
                roles=data["roles"], agency=data["agency"], entry_agencies=data["entry_agencies"],
                is_active=data["is_active"], password=data["password1"] or "",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if updated.pk == request.user.pk and data["password1"]:
                update_session_auth_hash(request, updated)  # a new password of one's own: stay signed in here
            messages.success(request, f"Đã lưu tài khoản “{user.get_username()}”.")
            return redirect("user_list")
    return render(request, "accounts/user_form.html", {
        "form": form, "creating": False, "edited_user": user, "is_self": user.pk == request.user.pk,
        "login_locked": user.get_username() in users.locked_usernames(),
    })


@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Mở khóa đăng nhập for a user locked out by repeated wrong passwords."""
    require(request.user, MANAGE_USERS)
    user = get_object_or_404(User, pk=pk)
    if not users.can_edit(actor=request.user, user=user):
        raise PermissionDenied("Chỉ quản trị hệ thống mới được sửa tài khoản quản trị hệ thống.")
    users.unlock_login(user=user, actor=request.user)
    messages.success(request, f"Đã mở khóa đăng nhập cho tài khoản “{user.get_username()}”.")
    return redirect("user_edit", pk=user.pk)
