"""The survey domain: agencies, service domains, questionnaires as data, rounds, responses.

Vocabulary (Vietnamese domain words): cơ quan = agency, cấp = level, lĩnh vực = service
domain, phiếu = questionnaire/response, đợt khảo sát = survey round, chỉ tiêu = quota,
yếu tố = factor, tiêu chí = criterion.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# A response keeps its answers a second time as one wide row of fixed slots (as LimeSurvey
# does), so that one grouped SQL pass of plain SUM/COUNT computes every index (surveys.questionnaires.scoring,
# indexes.gather). A questionnaire may use at most this many slots of each kind.
MAX_FACTORS = 7
MAX_CRITERIA = 40
# Option counts are packed: each bigint column `pNN` holds three 20-bit counters, one per option
# (or per "answered" of a multi-choice question), so SUM adds up three options at once. 20 bits
# allow a million respondents per agency × domain; 3 × 20 bits stay clear of the sign bit.
OPTION_COLUMNS = 30
FIELDS_PER_COLUMN = 3
FIELD_BITS = 20
# The version of that layout. A round whose responses were written in an older one (a database
# upgraded across a layout change, such as 0003's packed counters) has them rebuilt from its
# answer rows before its next computation (indexes.services.recompute_round).
SLOT_LAYOUT = 1


class Level(models.Model):
    """Cấp hành chính: SO, HUYEN, XA for three-tier rounds; a two-tier round defines its own."""

    code = models.CharField("mã cấp", max_length=20, unique=True)
    name = models.CharField("tên cấp", max_length=100)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "cấp"
        verbose_name_plural = "các cấp"

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """Cơ quan: a sở, a district people's committee or a commune. Its current place in the
    tree; each round keeps its own snapshot in RoundAgency, so history never moves."""

    code = models.CharField("mã cơ quan", max_length=30, unique=True)
    name = models.CharField("tên cơ quan", max_length=255)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="agencies", verbose_name="cấp")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="thuộc"
    )
    is_active = models.BooleanField("đang hoạt động", default=True)

    class Meta:
        ordering = ["level__order", "code"]
        verbose_name = "cơ quan"
        verbose_name_plural = "các cơ quan"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Domain(models.Model):
    """Lĩnh vực thủ tục hành chính."""

    code = models.CharField("mã lĩnh vực", max_length=30, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=255)

    class Meta:
        ordering = ["code"]
        verbose_name = "lĩnh vực"
        verbose_name_plural = "các lĩnh vực"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Channel(models.TextChoices):
    """Kênh thu thập phiếu."""

    TRUC_TIEP = "TRUC_TIEP", "Phát phiếu trực tiếp"
    BUU_DIEN = "BUU_DIEN", "Qua bưu điện"
    PHONG_VAN = "PHONG_VAN", "Phỏng vấn trực tiếp"
    TRUC_TUYEN = "TRUC_TUYEN", "Khảo sát trực tuyến"
    DIEN_THOAI = "DIEN_THOAI", "Qua điện thoại, tin nhắn"
    EMAIL = "EMAIL", "Qua thư điện tử"


class Questionnaire(models.Model):
    """Phiếu điều tra xã hội học, as data. Locked once a round using it has responses."""

    code = models.CharField("mã bộ câu hỏi", max_length=50, unique=True)
    name = models.CharField("tên", max_length=255)
    description = models.TextField("ghi chú", blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name="sao chép từ"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "bộ câu hỏi"
        verbose_name_plural = "các bộ câu hỏi"

    def __str__(self) -> str:
        return self.code

    @property
    def is_locked(self) -> bool:
        return Response.objects.filter(round__questionnaire=self).exists()


class Factor(models.Model):
    """Yếu tố (F1..F5): a group of satisfaction criteria."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="factors")
    code = models.CharField("mã yếu tố", max_length=10)
    name = models.CharField("tên yếu tố", max_length=255)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["questionnaire", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="uniq_factor_code")]
        verbose_name = "yếu tố"
        verbose_name_plural = "các yếu tố"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Section(models.Model):
    """Phần của phiếu (A, B, C, D)."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField("mã phần", max_length=10)
    title = models.CharField("tiêu đề", max_length=255)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["questionnaire", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="uniq_section_code")]
        verbose_name = "phần"
        verbose_name_plural = "các phần"

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Chọn một"
    MULTI = "multi", "Chọn nhiều"
    SCALE = "scale", "Thang hài lòng 1–5"
    TEXT = "text", "Tự trả lời"


class Question(models.Model):
    """Câu hỏi. A scale question bound to a factor is a criterion (tiêu chí) of the index.

    Gating (điều kiện): when `condition_question` is set the question applies only if the
    respondent chose one of `condition_values` there (e.g. C5.* only when B7 = 1).
    """

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField("mã câu hỏi", max_length=20)
    text = models.TextField("nội dung")
    kind = models.CharField("loại", max_length=10, choices=QuestionKind.choices)
    max_choices = models.PositiveSmallIntegerField("số lựa chọn tối đa", null=True, blank=True)
    factor = models.ForeignKey(
        Factor, on_delete=models.PROTECT, null=True, blank=True, related_name="criteria", verbose_name="yếu tố"
    )
    condition_question = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="gated", verbose_name="chỉ hỏi khi câu"
    )
    condition_values = models.JSONField("có giá trị thuộc", default=list, blank=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=0)

    class Meta:
        ordering = ["questionnaire", "order"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="uniq_question_code")]
        verbose_name = "câu hỏi"
        verbose_name_plural = "các câu hỏi"

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if self.kind == QuestionKind.SCALE and self.factor_id is None:
            raise ValidationError({"factor": "Câu hỏi thang hài lòng phải gắn với một yếu tố."})
        if self.kind != QuestionKind.SCALE and self.factor_id is not None:
            raise ValidationError({"factor": "Chỉ câu hỏi thang hài lòng mới gắn với yếu tố."})
        if self.kind == QuestionKind.MULTI and not self.max_choices:
            raise ValidationError({"max_choices": "Câu hỏi chọn nhiều cần số lựa chọn tối đa."})
        if self.condition_question_id and not self.condition_values:
            raise ValidationError({"condition_values": "Cần ít nhất một giá trị điều kiện."})


class Option(models.Model):
    """Phương án trả lời: the number printed beside the box and keyed by the officer."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    value = models.PositiveSmallIntegerField("số phương án")
    label = models.CharField("nội dung", max_length=255)

    class Meta:
        ordering = ["question", "value"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="uniq_option_value")]
        verbose_name = "phương án"
        verbose_name_plural = "các phương án"

    def __str__(self) -> str:
        return f"{self.value}. {self.label}"


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Nháp"
    COLLECTING = "collecting", "Đang thu thập"
    CLOSED = "closed", "Đã đóng"
    PUBLISHED = "published", "Đã công bố"


class SurveyRound(models.Model):
    """Đợt khảo sát. `data_version` grows with every change to its responses;
    `computed_version` is the version the stored indexes were computed from."""

    code = models.CharField("mã đợt", max_length=30, unique=True)
    name = models.CharField("tên đợt", max_length=255)
    year = models.PositiveSmallIntegerField("năm")
    province_name = models.CharField("tên tỉnh", max_length=100, default="Tỉnh Lạng Sơn")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="rounds", verbose_name="bộ câu hỏi"
    )
    starts_on = models.DateField("bắt đầu thu thập")
    ends_on = models.DateField("kết thúc thu thập")
    status = models.CharField("trạng thái", max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    data_version = models.PositiveBigIntegerField(default=0, editable=False)
    computed_version = models.PositiveBigIntegerField(default=0, editable=False)
    computed_at = models.DateTimeField("tính lần cuối", null=True, blank=True, editable=False)
    segregate_duties = models.BooleanField(
        "không cho cán bộ nhập phiếu về chính cơ quan mình",
        default=True,
        help_text="Phân tách nhiệm vụ: cán bộ không nhập, sửa phiếu đánh giá cơ quan nơi mình công tác.",
    )
    enforce_quota = models.BooleanField(
        "không nhận phiếu vượt chỉ tiêu",
        default=False,
        help_text="Khi bật, phiếu của cơ quan × lĩnh vực đã đủ chỉ tiêu bị từ chối.",
    )
    double_entry_percent = models.PositiveSmallIntegerField(
        "tỷ lệ phiếu giấy nhập hai lần (%)",
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="0 = không nhập lần hai; 100 = mọi phiếu giấy. Phiếu được chọn ngẫu nhiên khi nhập lần đầu.",
    )
    online_enabled = models.BooleanField("cho phép trả lời trực tuyến", default=True)
    slot_layout = models.PositiveSmallIntegerField(default=SLOT_LAYOUT, editable=False)

    class Meta:
        ordering = ["-year", "code"]
        permissions = [
            ("manage_rounds", "Quản lý đợt khảo sát, bộ câu hỏi, chỉ tiêu"),
            ("enter_responses", "Nhập phiếu cho các cơ quan được giao"),
            ("enter_any_agency", "Nhập và kiểm tra phiếu của mọi cơ quan"),
            ("view_all_results", "Xem kết quả của mọi cơ quan"),
            ("view_own_results", "Xem kết quả của cơ quan mình"),
            ("download_reports", "Tải báo cáo"),
            ("supervise", "Giám sát: xem phiếu (không có thông tin cá nhân), nhật ký và cách tính chỉ số"),
            ("manage_users", "Quản lý người dùng và phân quyền"),
            ("recompute_indexes", "Yêu cầu tính lại chỉ số"),
        ]
        verbose_name = "đợt khảo sát"
        verbose_name_plural = "các đợt khảo sát"

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def is_stale(self) -> bool:
        return self.computed_version < self.data_version

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "Ngày kết thúc phải sau ngày bắt đầu."})


class RoundStatusChange(models.Model):
    """Chuyển trạng thái đợt: who moved the round from which status to which, and why.

    Reopening a closed round requires a reason; every change is kept here besides the audit log.
    """

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField("từ trạng thái", max_length=12, choices=RoundStatus.choices)
    to_status = models.CharField("sang trạng thái", max_length=12, choices=RoundStatus.choices)
    reason = models.TextField("lý do", blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        ordering = ["round", "-changed_at"]
        verbose_name = "chuyển trạng thái đợt"
        verbose_name_plural = "các lần chuyển trạng thái đợt"

    def __str__(self) -> str:
        return f"{self.round.code}: {self.from_status} → {self.to_status}"


class RoundAgency(models.Model):
    """A participating agency in a round, with its place in the round's tree and its quota.

    Level and parent are copied here so that an old round keeps reporting on the tree it was
    run on, whatever later reorganisation (such as the two-tier reform of 1 July 2025) does.
    """

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="round_agencies")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="round_entries")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+", verbose_name="cấp")
    parent = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="thuộc"
    )
    quota = models.PositiveIntegerField("chỉ tiêu phiếu", default=0)

    class Meta:
        ordering = ["round", "level__order", "agency__code"]
        constraints = [models.UniqueConstraint(fields=["round", "agency"], name="uniq_round_agency")]
        verbose_name = "cơ quan tham gia đợt"
        verbose_name_plural = "các cơ quan tham gia đợt"

    def __str__(self) -> str:
        return f"{self.round.code} / {self.agency.code}"


class RoundAgencyDomain(models.Model):
    """A domain an agency surveys in a round, with its quota (chỉ tiêu theo lĩnh vực)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="agency_domains")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+")
    quota = models.PositiveIntegerField("chỉ tiêu phiếu", default=0)

    class Meta:
        ordering = ["round", "agency__code", "domain__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "agency", "domain"], name="uniq_round_agency_domain")
        ]
        verbose_name = "lĩnh vực khảo sát của cơ quan"
        verbose_name_plural = "lĩnh vực khảo sát của các cơ quan"

    def __str__(self) -> str:
        return f"{self.round.code} / {self.agency.code} / {self.domain.code}"


class Verification(models.TextChoices):
    """Nhập kép: where a paper questionnaire stands in the double-entry check."""

    NOT_REQUIRED = "none", "Không cần nhập lần hai"
    PENDING = "pending", "Chờ nhập lần hai"
    MISMATCH = "mismatch", "Có khác biệt, chờ đối chiếu"
    VERIFIED = "verified", "Đã đối chiếu"


COUNTED_VERIFICATIONS = (Verification.NOT_REQUIRED, Verification.VERIFIED)


class ResponseQuerySet(models.QuerySet):
    def counted(self) -> ResponseQuerySet:
        """Phiếu được tính vào chỉ số: all but those still waiting for their double-entry check."""
        return self.filter(verification__in=COUNTED_VERIFICATIONS)


class Response(models.Model):
    """Phiếu đã thu: one respondent's questionnaire about one agency and one domain.

    Besides the Answer rows (the record), the same transaction writes derived slot columns
    (surveys.questionnaires.scoring): `ratio` = b_i/a_i, `f1`… = b_ik/a_ik per factor, `c01`… = the 1–5 answer
    of each criterion that applies, `p01`… = the chosen options of the single- and
    multi-choice questions as packed counters. Indexes read only these columns.
    """

    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="responses")
    ma_phieu = models.CharField("mã phiếu", max_length=50)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="responses")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField("kênh", max_length=12, choices=Channel.choices)
    surveyed_on = models.DateField("ngày khảo sát")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField("nhập lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)
    # Whoever last edited it after the first entry: in double entry they, like the first
    # officer, may neither key it the second time nor resolve its differences.
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="người sửa lần cuối",
    )
    verification = models.CharField(
        "nhập kép", max_length=10, choices=Verification.choices, default=Verification.NOT_REQUIRED
    )
    # Online answers carry the key of the form they came from, so a double click or a resent
    # form cannot create a second questionnaire.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    ratio = models.FloatField(null=True, editable=False)
    for _k in range(1, MAX_FACTORS + 1):
        vars()[f"f{_k}"] = models.FloatField(null=True, editable=False)
    for _k in range(1, MAX_CRITERIA + 1):
        vars()[f"c{_k:02d}"] = models.PositiveSmallIntegerField(null=True, editable=False)
    for _k in range(1, OPTION_COLUMNS + 1):
        vars()[f"p{_k:02d}"] = models.BigIntegerField(default=0, editable=False)
    del _k

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["round", "ma_phieu"]
        constraints = [models.UniqueConstraint(fields=["round", "ma_phieu"], name="uniq_round_ma_phieu")]
        indexes = [
            # Scope lookups (quota counts) and the near-duplicate check's recent entries.
            models.Index(fields=["round", "agency", "domain", "entered_at"], name="response_scope_entered"),
            # The few questionnaires still in the double-entry check, without scanning the round.
            models.Index(fields=["round"], condition=~models.Q(verification="none"), name="response_to_verify"),
        ]
        verbose_name = "phiếu"
        verbose_name_plural = "các phiếu"

    def __str__(self) -> str:
        return self.ma_phieu


class Answer(models.Model):
    """Câu trả lời. A multi-choice answer is one row per chosen option; text answers keep
    their text. Blank answers are not stored."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "question__order", "value"]
        constraints = [models.UniqueConstraint(fields=["response", "question", "value"], name="uniq_answer")]
        verbose_name = "câu trả lời"
        verbose_name_plural = "các câu trả lời"

    def __str__(self) -> str:
        return f"{self.question.code}={self.value if self.value is not None else self.text}"


class Officer(models.Model):
    """Cán bộ: the agency a user works for and the agencies they may key questionnaires for.

    Roles are Django groups (see surveys.accounts.access); this holds what scopes them.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer")
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="officers",
        verbose_name="cơ quan công tác",
    )
    entry_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="entry_officers", verbose_name="cơ quan được giao nhập phiếu"
    )
    phone = models.CharField("điện thoại", max_length=30, blank=True)

    class Meta:
        verbose_name = "cán bộ"
        verbose_name_plural = "các cán bộ"

    def __str__(self) -> str:
        return self.user.get_username()


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Nhật ký chỉ được ghi thêm, không được sửa.")

    def delete(self):
        raise PermissionError("Nhật ký chỉ được ghi thêm, không được xóa.")


class AuditEntry(models.Model):
    """Nhật ký: who did what, when, from where, with the values before and after.

    Append-only for everyone: the model refuses updates and deletes, the admin is read-only
    and, on PostgreSQL, a trigger refuses them at the database too.
    """

    at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        db_constraint=False, verbose_name="người thực hiện",
    )
    actor_name = models.CharField("tên người thực hiện", max_length=255, blank=True)
    ip = models.GenericIPAddressField("địa chỉ IP", null=True, blank=True)
    action = models.CharField("hành động", max_length=60, db_index=True)
    target_type = models.CharField("loại đối tượng", max_length=60, blank=True, db_index=True)
    target_id = models.CharField("mã đối tượng", max_length=60, blank=True)
    target_repr = models.CharField("đối tượng", max_length=255, blank=True)
    round_code = models.CharField("đợt", max_length=30, blank=True, db_index=True)
    before = models.JSONField("trước", null=True, blank=True)
    after = models.JSONField("sau", null=True, blank=True)
    note = models.TextField("ghi chú", blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "mục nhật ký"
        verbose_name_plural = "nhật ký"

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Nhật ký chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Nhật ký chỉ được ghi thêm, không được xóa.")


class SecondEntry(models.Model):
    """Lần nhập thứ hai of a paper questionnaire, by another officer, kept as keyed.

    `answers` maps question codes to what was typed (an option number, a list for multi-choice,
    text); comparing it with the first entry lists the differences a supervisor resolves
    against the paper.
    """

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="second_entry")
    answers = models.JSONField("câu trả lời nhập lần hai", default=dict)
    meta = models.JSONField("thông tin phiếu nhập lần hai", default=dict, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField("nhập lúc", auto_now_add=True)
    differences = models.PositiveSmallIntegerField("số câu khác nhau", default=0)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField("đối chiếu lúc", null=True, blank=True)
    resolution_note = models.TextField("ghi chú đối chiếu", blank=True)

    class Meta:
        verbose_name = "phiếu nhập lần hai"
        verbose_name_plural = "các phiếu nhập lần hai"

    def __str__(self) -> str:
        return f"{self.response.ma_phieu} (lần 2)"


class FlagKind(models.TextChoices):
    NEAR_DUPLICATE = "near_duplicate", "Gần trùng với phiếu khác"
    STRAIGHT_LINING = "straight_line", "Trả lời cùng một mức cho mọi tiêu chí"


class ResponseFlag(models.Model):
    """Cảnh báo chất lượng: a questionnaire set aside for a person to look at, never dropped."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField("loại cảnh báo", max_length=20, choices=FlagKind.choices)
    related = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="phiếu liên quan"
    )
    detail = models.CharField("chi tiết", max_length=255, blank=True)
    created_at = models.DateTimeField("phát hiện lúc", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("xem xét lúc", null=True, blank=True)
    review_note = models.TextField("kết luận", blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["response", "kind"], name="uniq_response_flag")]
        verbose_name = "cảnh báo chất lượng phiếu"
        verbose_name_plural = "các cảnh báo chất lượng phiếu"

    def __str__(self) -> str:
        return f"{self.response.ma_phieu}: {self.get_kind_display()}"


class SampleFrame(models.Model):
    """Khung mẫu: the list of people who completed procedures at an agency in the period,
    as the agency uploaded it. Personal data lives only here and in FrameContact."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="sample_frames")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan")
    filename = models.CharField("tệp", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    purged_at = models.DateTimeField("đã xoá thông tin cá nhân lúc", null=True, blank=True)

    class Meta:
        ordering = ["round", "agency__code", "-uploaded_at"]
        verbose_name = "khung mẫu"
        verbose_name_plural = "các khung mẫu"

    def __str__(self) -> str:
        return f"{self.round.code} / {self.agency.code} / {self.filename}"


class SampleDraw(models.Model):
    """Lần chọn mẫu: a seeded random draw, so that the same seed draws the same contacts."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="sample_draws")
    seed = models.BigIntegerField("hạt giống ngẫu nhiên")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField("chọn lúc", auto_now_add=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        ordering = ["round", "-drawn_at"]
        verbose_name = "lần chọn mẫu"
        verbose_name_plural = "các lần chọn mẫu"

    def __str__(self) -> str:
        return f"{self.round.code} / seed {self.seed}"


class ContactStatus(models.TextChoices):
    NOT_SENT = "not_sent", "Chưa gửi"
    SENT = "sent", "Đã gửi"
    RETURNED = "returned", "Đã thu về"
    REFUSED = "refused", "Từ chối"
    UNREACHABLE = "unreachable", "Không liên lạc được"


class FrameContact(models.Model):
    """One person of a sample frame. Drawn contacts get a questionnaire serial and an online token."""

    frame = models.ForeignKey(SampleFrame, on_delete=models.CASCADE, related_name="contacts")
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="+", verbose_name="lĩnh vực")
    row_number = models.PositiveIntegerField("dòng trong tệp", default=0)
    full_name = models.CharField("họ và tên", max_length=255, blank=True)
    address = models.CharField("địa chỉ", max_length=500, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    procedure = models.CharField("thủ tục hành chính", max_length=500, blank=True)
    completed_on = models.DateField("ngày trả kết quả", null=True, blank=True)
    draw = models.ForeignKey(SampleDraw, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts")
    # Null, not blank, until drawn: the serial is unique in the round only once given.
    ma_phieu = models.CharField("mã phiếu", max_length=50, null=True, blank=True)  # noqa: DJ001
    status = models.CharField("tình trạng", max_length=12, choices=ContactStatus.choices, default=ContactStatus.NOT_SENT)
    status_changed_at = models.DateTimeField("cập nhật tình trạng lúc", null=True, blank=True)
    token = models.CharField("mã trả lời trực tuyến", max_length=64, null=True, blank=True, unique=True)
    token_used_at = models.DateTimeField("đã dùng mã lúc", null=True, blank=True)
    response = models.OneToOneField(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="contact"
    )

    class Meta:
        ordering = ["frame", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "ma_phieu"], condition=models.Q(ma_phieu__isnull=False), name="uniq_contact_ma_phieu"
            )
        ]
        indexes = [models.Index(fields=["round", "agency", "domain"], name="contact_round_scope")]
        verbose_name = "người trong khung mẫu"
        verbose_name_plural = "những người trong khung mẫu"

    def __str__(self) -> str:
        return f"{self.frame} #{self.row_number}"
