"""Forms of the account pages: a user's own account and user management (quản lý người dùng)."""
from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from surveys.accounts import users
from surveys.accounts.access import officer_of
from surveys.accounts.roles import AGENCY, ALL_ROLES, ENTRY, ROLE_PERMISSIONS
from surveys.models import Agency

User = get_user_model()


def _grants(roles, codename: str) -> bool:
    return any(codename in ROLE_PERMISSIONS.get(role, ()) for role in roles)


def _agency_label(agency: Agency) -> str:
    return f"{agency.code} — {agency.name}{'' if agency.is_active else ' (ngừng hoạt động)'}"


def _agencies_by_level(agencies) -> list[tuple[str, list[tuple[int, str]]]]:
    groups: dict[str, list[tuple[int, str]]] = {}
    for agency in agencies:
        groups.setdefault(agency.level.name, []).append((agency.pk, _agency_label(agency)))
    return list(groups.items())


class OfficerForm(forms.Form):
    """Tạo hoặc sửa tài khoản cán bộ. Pass `user` to edit (the username then cannot change)
    and `actor`, the administrator at the keyboard."""

    username = forms.CharField(
        label="Tên đăng nhập", max_length=150, validators=[UnicodeUsernameValidator()],
        help_text="Tối đa 150 ký tự: chữ cái, chữ số và các ký tự @ . + - _ (không có dấu cách).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
        error_messages={"required": "Hãy nhập tên đăng nhập."},
    )
    full_name = forms.CharField(
        label="Họ và tên", max_length=150, error_messages={"required": "Hãy nhập họ và tên."},
    )
    email = forms.EmailField(
        label="Thư điện tử", required=False,
        help_text="Dùng để gửi liên kết đặt lại mật khẩu khi cán bộ quên mật khẩu.",
        error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ."},
    )
    roles = forms.MultipleChoiceField(
        label="Vai trò", required=False, choices=[(r, r) for r in ALL_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
    agency = forms.ModelChoiceField(
        label="Cơ quan công tác", required=False, queryset=Agency.objects.none(), empty_label="— Không thuộc cơ quan nào —",
        help_text="Cán bộ cơ quan xem kết quả của cơ quan này; khi phân tách nhiệm vụ, cán bộ không nhập phiếu về cơ quan này.",
    )
    entry_agencies = forms.ModelMultipleChoiceField(
        label="Cơ quan được giao nhập phiếu", required=False, queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(
        label="Đang hoạt động", required=False, initial=True,
        help_text="Bỏ chọn để khóa tài khoản: không đăng nhập được nữa, các phiên đang mở bị đóng. "
                  "Tài khoản không bị xóa nên nhật ký vẫn giữ nguyên.",
    )
    password1 = forms.CharField(
        label="Mật khẩu ban đầu", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label="Nhập lại mật khẩu", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, actor=None, **kwargs):
        self.user = user
        self.actor = actor
        if user is not None:
            officer = officer_of(user)
            kwargs.setdefault("initial", {
                "full_name": user.get_full_name(),
                "email": user.email,
                "roles": list(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True)),
                "agency": officer.agency_id if officer else None,
                "entry_agencies": list(officer.entry_agencies.values_list("pk", flat=True)) if officer else [],
                "is_active": user.is_active,
            })
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.select_related("level").order_by("level__order", "code")
        self.fields["agency"].queryset = agencies
        self.fields["entry_agencies"].queryset = agencies
        # Grouped by level (sở, huyện, xã); validation still goes through the querysets.
        grouped = _agencies_by_level(agencies)
        self.fields["agency"].choices = [("", self.fields["agency"].empty_label), *grouped]
        self.fields["entry_agencies"].choices = grouped
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

        if user is not None and self.initial.get("entry_agencies"):
            codes = Agency.objects.filter(pk__in=self.initial["entry_agencies"]).order_by("code")
            codes = list(codes.values_list("code", flat=True))
            self.fields["entry_agencies"].help_text = (
                f"Đang giao {len(codes)} cơ quan: {', '.join(codes)}."
            )

        if user is None:
            del self.fields["is_active"]
            identity = ("username", "full_name", "email")
            password_legend = "Mật khẩu ban đầu"
            password_note = HTML(
                '<p class="form-text mt-0">Báo mật khẩu này cho cán bộ; cán bộ nên đổi mật khẩu ngay sau lần đăng nhập đầu tiên.</p>'
            )
            submit = "Tạo tài khoản"
        else:
            del self.fields["username"]
            identity = ("full_name", "email", "is_active")
            self.fields["password1"].required = False
            self.fields["password2"].required = False
            self.fields["password1"].label = "Mật khẩu mới"
            password_legend = "Đặt lại mật khẩu (không bắt buộc)"
            password_note = HTML(
                '<p class="form-text mt-0">Để trống nếu không đổi. Khi đặt mật khẩu mới, '
                'mọi phiên đăng nhập khác của cán bộ này sẽ kết thúc.</p>'
            )
            submit = "Lưu thay đổi"

        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.layout = Layout(
            Fieldset("Thông tin tài khoản", *identity),
            Fieldset("Vai trò và phạm vi", "roles", "agency", Div("entry_agencies", css_class="checkbox-scroll")),
            Fieldset(password_legend, password_note, "password1", "password2"),
        )
        self.helper.add_input(Submit("submit", submit, css_class="btn-primary"))

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("Tên đăng nhập “%(username)s” đã có người dùng.", code="duplicate",
                                  params={"username": username})
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if email:
            others = User.objects.filter(email__iexact=email)
            if self.user is not None:
                others = others.exclude(pk=self.user.pk)
            other = others.first()
            if other is not None:
                raise ValidationError("Địa chỉ này đã dùng cho tài khoản “%(username)s”.", code="duplicate",
                                      params={"username": other.get_username()})
        return email

    def clean(self):
        data = super().clean()
        roles = data.get("roles") or []
        # A role without its scope gives nothing to do; not checked when locking an account.
        if data.get("is_active", True):
            if AGENCY in roles and not data.get("agency"):
                self.add_error("agency", f"Vai trò “{AGENCY}” cần có cơ quan công tác.")
            if ENTRY in roles and not data.get("entry_agencies") and not _grants(roles, "enter_any_agency"):
                self.add_error("entry_agencies", f"Vai trò “{ENTRY}” cần được giao ít nhất một cơ quan.")

        password1, password2 = data.get("password1"), data.get("password2")
        if password1 or password2:
            if password1 != password2:
                self.add_error("password2", "Hai mật khẩu không giống nhau.")
            else:
                probe = self.user or User(
                    username=data.get("username", ""), first_name=data.get("full_name", ""),
                    email=data.get("email", ""),
                )
                try:
                    password_validation.validate_password(password1, probe)
                except ValidationError as exc:
                    self.add_error("password2", exc)

        if self.user is not None:
            try:
                users.check_self_edit(user=self.user, actor=self.actor, roles=roles,
                                      is_active=data.get("is_active", False))
            except ValidationError as exc:
                self.add_error(None, exc)
        return data


class UserFilterForm(forms.Form):
    """Tìm kiếm và lọc danh sách người dùng (GET)."""

    q = forms.CharField(label="Tìm kiếm", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"placeholder": "Tên đăng nhập, họ tên, thư điện tử, cơ quan",
                                                      "type": "search"}))
    vai_tro = forms.ChoiceField(label="Vai trò", required=False,
                                choices=[("", "Mọi vai trò")] + [(r, r) for r in ALL_ROLES])
    trang_thai = forms.ChoiceField(label="Trạng thái", required=False,
                                   choices=[("", "Mọi trạng thái"), ("hoat-dong", "Đang hoạt động"),
                                            ("da-khoa", "Đã khóa")])


class PasswordResetForm(DjangoPasswordResetForm):
    """Quên mật khẩu: Django's form, in the portal's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Thư điện tử của tài khoản"
        self.fields["email"].error_messages = {
            "required": "Hãy nhập địa chỉ thư điện tử.",
            "invalid": "Địa chỉ thư điện tử không hợp lệ.",
        }
