"""Admin for the survey domain (/quan-tri/).

The admin site is no way around the portal's rules. Whatever a service of the portal checks or
records — a round's status, settings, quotas and agencies (surveys.rounds.services), the
questionnaires (surveys.questionnaires.services), the responses, the accounts and roles
(surveys.accounts.users) — is read-only here or not here at all, and the page points to the portal's
page that does it. Editable stay only the reference lists the portal has no page for (cấp, cơ
quan, lĩnh vực): each round keeps its own snapshot of the agency tree, so editing them changes
no round's numbers; their codes, which stored results refer to, are fixed once created.
"""
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html

from surveys.accounts import access
from surveys.models import (
    Agency,
    Answer,
    AuditEntry,
    Domain,
    Factor,
    Level,
    Officer,
    Option,
    Question,
    Questionnaire,
    Response,
    Section,
    SurveyRound,
)
from surveys.questionnaires import services as builder_services


class ReadOnlyAdminMixin:
    """Shown in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserOnlyAdminMixin:
    """Not in the admin at all unless the user is a superuser.

    For accounts, roles and whom an officer keys for: a Quản trị Sở Nội vụ manages those in the
    portal (Người dùng), under surveys.accounts.users' rules. The admin's own forms would let them make
    themself a superuser, give a role group any permission, or change a superuser's e-mail and
    take the account over with a password reset.
    """

    def _is_superuser(self, request) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_module_permission(self, request):
        return self._is_superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._is_superuser(request)

    def has_add_permission(self, request, *args):
        return self._is_superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._is_superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_superuser(request)


class FixedCodeMixin:
    """Stored index results and reports name agencies, levels and domains by code: a new code
    would cut a past round's results off from the agency (and its officers' scope)."""

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly + ("code",) if obj is not None else readonly


# ---- accounts (superusers only; everyone else uses /tai-khoan/nguoi-dung/) ----------------------

User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class PortalUserAdmin(SuperuserOnlyAdminMixin, UserAdmin):
    pass


@admin.register(Group)
class PortalGroupAdmin(SuperuserOnlyAdminMixin, GroupAdmin):
    pass


@admin.register(Officer)
class OfficerAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Cán bộ: the agency a user works for and the agencies they key questionnaires for (which
    decide what they see and enter). Day-to-day this is done in the portal (Người dùng)."""

    list_display = ("user", "full_name", "agency", "phone")
    list_filter = ("agency__level",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__code", "agency__name")
    autocomplete_fields = ("user", "agency")
    filter_horizontal = ("entry_agencies",)
    list_select_related = ("user", "agency")

    @admin.display(description="họ và tên", ordering="user__first_name")
    def full_name(self, obj):
        return obj.user.get_full_name()


# ---- reference lists -------------------------------------------------------------------------

@admin.register(Level)
class LevelAdmin(FixedCodeMixin, admin.ModelAdmin):
    list_display = ("code", "name", "order")


@admin.register(Agency)
class AgencyAdmin(FixedCodeMixin, admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(Domain)
class DomainAdmin(FixedCodeMixin, admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


# ---- questionnaires (edited in the builder, /bo-cau-hoi/) -------------------------------------

def builder_link(questionnaire: Questionnaire):
    return format_html(
        '<a href="{}">Mở bộ câu hỏi {} trong trình soạn bộ câu hỏi của cổng</a>',
        reverse("builder:questionnaire_detail", args=[questionnaire.code]), questionnaire.code,
    )


class SectionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Section
    extra = 0


class FactorInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Factor
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """View only. The builder checks every change against the questionnaire's rules and the
    slots responses are stored in (a broken one cannot take responses) and locks the
    questionnaire once a round has responses or is closed; this admin did neither."""

    list_display = ("code", "name", "copied_from", "locked")
    fields = ("code", "name", "description", "copied_from", "created_at", "edit_in_builder")
    readonly_fields = fields
    inlines = (SectionInline, FactorInline)
    actions = ("copy_selected",)

    @admin.display(boolean=True, description="đã khóa")
    def locked(self, obj):
        return obj.is_locked

    @admin.display(description="sửa bộ câu hỏi")
    def edit_in_builder(self, obj):
        return builder_link(obj)

    def has_copy_permission(self, request):
        return access.can(request.user, access.MANAGE_ROUNDS)

    @admin.action(description="Sao chép thành phiên bản mới", permissions=("copy",))
    def copy_selected(self, request, queryset):
        for questionnaire in queryset:
            new_code = f"{questionnaire.code}-BANSAO"
            try:
                builder_services.copy_to_new_version(
                    questionnaire=questionnaire, new_code=new_code, changed_by=request.user
                )
            except builder_services.BuilderError as error:
                self.message_user(request, " ".join(error.problems), messages.ERROR)
            else:
                self.message_user(request, f"Đã sao chép {questionnaire.code} thành {new_code}.")


class OptionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """View only, as the questionnaire (see QuestionnaireAdmin)."""

    list_display = ("code", "questionnaire", "section", "kind", "factor", "condition_question", "condition_values")
    list_filter = ("questionnaire", "kind")
    search_fields = ("code", "text")
    readonly_fields = ("edit_in_builder",)
    inlines = (OptionInline,)

    @admin.display(description="sửa câu hỏi")
    def edit_in_builder(self, obj):
        return builder_link(obj.questionnaire)


# ---- rounds (set up in the portal, /dot/<mã>/thiet-lap/) ---------------------------------------

@admin.register(SurveyRound)
class SurveyRoundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """View only. The set-up pages' services move a round draft → collecting → closed →
    published (a reason to go back, indexes current before publishing) and keep each move as
    a RoundStatusChange and in the audit trail; they freeze settings, quotas and agencies once
    the round is closed. A round's agencies and agency × domain quotas (hundreds of rows) are
    not shown here: as inlines they made a form too big to save."""

    list_display = ("code", "name", "year", "questionnaire", "starts_on", "ends_on", "status", "computed_at")
    list_filter = ("status", "year")
    fields = (
        "code", "name", "year", "province_name", "questionnaire", "starts_on", "ends_on", "status",
        "segregate_duties", "enforce_quota", "double_entry_percent", "online_enabled",
        "data_version_shown", "computed_version_shown", "computed_at", "participants", "set_up_in_portal",
    )
    readonly_fields = fields

    # The model fields have no Vietnamese label of their own.
    @admin.display(description="phiên bản dữ liệu")
    def data_version_shown(self, obj):
        return obj.data_version

    @admin.display(description="chỉ số tính từ phiên bản dữ liệu")
    def computed_version_shown(self, obj):
        return obj.computed_version

    @admin.display(description="tham gia")
    def participants(self, obj):
        return (f"{obj.round_agencies.count()} cơ quan, "
                f"{obj.agency_domains.count()} cặp cơ quan × lĩnh vực có chỉ tiêu")

    @admin.display(description="thiết lập đợt")
    def set_up_in_portal(self, obj):
        return format_html(
            '<a href="{}">Trạng thái, thiết lập, cơ quan và chỉ tiêu của đợt {}: sửa trên trang thiết lập đợt '
            "của cổng</a>",
            reverse("surveys:round_setup", args=[obj.code]), obj.code,
        )


# ---- responses and the audit trail -----------------------------------------------------------

class AnswerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Answer
    extra = 0
    fields = ("question", "value", "text")
    readonly_fields = fields


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Responses are entered and edited through the portal, where every rule of the
    questionnaire is checked and scores are derived."""

    list_display = ("ma_phieu", "round", "agency", "domain", "channel", "surveyed_on", "entered_by", "entered_at")
    list_filter = ("round", "channel", "agency__level")
    search_fields = ("ma_phieu", "agency__code")
    inlines = (AnswerInline,)
    list_select_related = ("round", "agency", "domain", "entered_by")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Nhật ký: read-only, for everyone (the model refuses changes too)."""

    list_display = ("at", "actor_name", "ip", "action", "target_repr", "round_code")
    list_filter = ("action", "target_type")
    search_fields = ("actor_name", "action", "target_repr", "target_id", "round_code", "note", "ip")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    show_full_result_count = False
