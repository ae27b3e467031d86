"""Admin for the survey domain. Responses are read-only here: they are entered and edited
through the portal, where every rule of the questionnaire is checked and scores are derived."""
from django.contrib import admin, messages
from django.db import IntegrityError

from . import services
from .models import (
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
    RoundAgency,
    RoundAgencyDomain,
    Section,
    SurveyRound,
)


class ReadOnlyAdminMixin:
    """Shown in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class LockedQuestionnaireMixin:
    """Nothing of a questionnaire that a round with responses uses can change."""

    def _questionnaire(self, obj):
        return obj if isinstance(obj, Questionnaire) else getattr(obj, "questionnaire", None)

    def _locked(self, obj) -> bool:
        questionnaire = self._questionnaire(obj)
        return bool(questionnaire and questionnaire.pk and questionnaire.is_locked)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)

    def has_add_permission(self, request, obj=None):
        args = (request, obj) if isinstance(self, admin.options.InlineModelAdmin) else (request,)
        return super().has_add_permission(*args) and not self._locked(obj)


class SectionInline(LockedQuestionnaireMixin, admin.TabularInline):
    model = Section
    extra = 0


class FactorInline(LockedQuestionnaireMixin, admin.TabularInline):
    model = Factor
    extra = 0


@admin.register(Questionnaire)
class QuestionnaireAdmin(LockedQuestionnaireMixin, admin.ModelAdmin):
    list_display = ("code", "name", "copied_from", "locked")
    inlines = (SectionInline, FactorInline)
    actions = ("copy_selected",)

    @admin.display(boolean=True, description="đã khóa")
    def locked(self, obj):
        return obj.is_locked

    @admin.action(description="Sao chép thành phiên bản mới")
    def copy_selected(self, request, queryset):
        for questionnaire in queryset:
            new_code = f"{questionnaire.code}-BANSAO"
            try:
                services.copy_questionnaire(questionnaire=questionnaire, new_code=new_code)
            except IntegrityError:
                self.message_user(request, f"Đã có bộ câu hỏi mã {new_code}.", messages.ERROR)
            else:
                self.message_user(request, f"Đã sao chép {questionnaire.code} thành {new_code}.")


class OptionInline(LockedQuestionnaireMixin, admin.TabularInline):
    model = Option
    extra = 0

    def _questionnaire(self, obj):
        return obj.questionnaire if obj else None


@admin.register(Question)
class QuestionAdmin(LockedQuestionnaireMixin, admin.ModelAdmin):
    list_display = ("code", "questionnaire", "section", "kind", "factor", "condition_question", "condition_values")
    list_filter = ("questionnaire", "kind")
    search_fields = ("code", "text")
    inlines = (OptionInline,)


class RoundAgencyInline(admin.TabularInline):
    model = RoundAgency
    extra = 0
    autocomplete_fields = ("agency", "parent")


class RoundAgencyDomainInline(admin.TabularInline):
    model = RoundAgencyDomain
    extra = 0
    autocomplete_fields = ("agency", "domain")


@admin.register(SurveyRound)
class SurveyRoundAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "year", "questionnaire", "starts_on", "ends_on", "status", "computed_at")
    list_filter = ("status", "year")
    readonly_fields = ("data_version", "computed_version", "computed_at")
    inlines = (RoundAgencyInline, RoundAgencyDomainInline)


class AnswerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Answer
    extra = 0
    fields = ("question", "value", "text")
    readonly_fields = fields



@admin.register(Response)
class ResponseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("ma_phieu", "round", "agency", "domain", "channel", "surveyed_on", "entered_by", "entered_at")
    list_filter = ("round", "channel", "agency__level")
    search_fields = ("ma_phieu", "agency__code")
    inlines = (AnswerInline,)
    list_select_related = ("round", "agency", "domain", "entered_by")



@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    """Cán bộ: the agency a user works for and the agencies they key questionnaires for.
    Day-to-day this is done in the portal (Người dùng); roles are the user's groups."""

    list_display = ("user", "full_name", "agency", "phone")
    list_filter = ("agency__level",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "agency__code", "agency__name")
    autocomplete_fields = ("user", "agency")
    filter_horizontal = ("entry_agencies",)
    list_select_related = ("user", "agency")

    @admin.display(description="họ và tên", ordering="user__first_name")
    def full_name(self, obj):
        return obj.user.get_full_name()


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Nhật ký: read-only, for everyone (the model refuses changes too)."""

    list_display = ("at", "actor_name", "ip", "action", "target_repr", "round_code")
    list_filter = ("action", "target_type")
    search_fields = ("actor_name", "action", "target_repr", "target_id", "round_code", "note", "ip")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    show_full_result_count = False

