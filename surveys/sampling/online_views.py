"""Public online questionnaire (no login): `/phieu/<round>/<agency>/<domain>/` for a one-stop
desk's link or QR code, `/phieu/t/<token>/` for a sample-frame contact's one-time token.

Protection: CSRF stays on; every rendered form carries a random submission key (a resent form
saves nothing, surveys.sampling.online); a honeypot field that people never see; and POSTs are
rate-limited per address and per link (django-ratelimit) at rates a busy desk sharing one public
address stays well under (settings SIPAS_ONLINE_RATE_PER_IP / SIPAS_ONLINE_RATE_PER_LINK).
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from surveys.responses import services
from surveys.responses.forms_entry import questionnaire_sections
from surveys.sampling import online
from surveys.selectors import load_definition

logger = logging.getLogger(__name__)

HONEYPOT = "website"
DEFAULT_RATE = "60/m"


def rate_per_ip(group, request) -> str:
    return getattr(settings, "SIPAS_ONLINE_RATE_PER_IP", DEFAULT_RATE)


def rate_per_link(group, request) -> str:
    return getattr(settings, "SIPAS_ONLINE_RATE_PER_LINK", DEFAULT_RATE)


def link_key(group, request) -> str:
    return request.path


def _limited(view):
    """Rate limits on POST only: reading the form is free, saving is counted."""
    view = ratelimit(key=link_key, rate=rate_per_link, method="POST", block=False)(view)
    return ratelimit(key="ip", rate=rate_per_ip, method="POST", block=False)(view)


def _unavailable(request, exc: Exception):
    if isinstance(exc, online.TokenUsed):
        status, title = 410, "Mã này đã được dùng"
    elif isinstance(exc, online.LinkUnknown):
        status, title = 404, "Không tìm thấy phiếu khảo sát"
    else:
        status, title = 403, "Phiếu khảo sát không nhận trả lời"
    return render(request, "online/unavailable.html", {"title": title, "message": str(exc)}, status=status)


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@_limited
def desk_form(request, code, agency_code, domain_code):
    try:
        target = online.desk_target(round_code=code, agency_code=agency_code, domain_code=domain_code)
    except online.OnlineUnavailable as exc:
        return _unavailable(request, exc)
    return _answer(request, target)


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
@_limited
def token_form(request, token):
    if request.method == "POST" and online.already_submitted(request.POST.get("submission_key")):
        return redirect("online:thanks")  # a double click after the token was spent
    try:
        target = online.token_target(token=token)
    except (online.OnlineUnavailable, online.TokenUsed) as exc:
        return _unavailable(request, exc)
    return _answer(request, target)


@login_not_required
@require_safe
def thanks(request):
    return render(request, "online/thanks.html")


def _answer(request, target: online.OnlineTarget):
    definition = load_definition(target.survey_round.questionnaire)
    errors: dict[str, list[str]] = {}
    data = None
    key = online.new_submission_key()
    if request.method == "POST":
        if getattr(request, "limited", False):
            return render(request, "online/limited.html", status=429)
        if request.POST.get(HONEYPOT):
            logger.info("Phiếu trực tuyến có ô bẫy được điền, bỏ qua (%s)", request.path)
            return redirect("online:thanks")
        posted_key = request.POST.get("submission_key", "")
        if online.already_submitted(posted_key):
            return redirect("online:thanks")
        data = request.POST
        if online.valid_submission_key(posted_key):
            key = posted_key  # nothing was saved under it: the corrected form may use it
        answers, errors = online.read_answers(definition, request.POST)
        if not errors and not online.valid_submission_key(posted_key):
            errors = {"": ["Phiên trả lời không hợp lệ; xin kiểm tra lại các câu trả lời rồi bấm “Gửi phiếu” lần nữa."]}
        if not errors:
            try:
                online.submit_online(target=target, answers=answers, submission_key=key)
            except online.DuplicateSubmission:
                return redirect("online:thanks")
            except online.TokenUsed as exc:
                return _unavailable(request, exc)
            except services.RoundNotOpen as exc:
                return _unavailable(request, online.OnlineUnavailable(str(exc)))
            except services.ResponseInvalid as exc:
                for error in exc.errors:
                    column = error.column if error.column in definition.by_code else ""
                    errors.setdefault(column, []).append(error.message[:1].upper() + error.message[1:])
            else:
                return redirect("online:thanks")
    return render(
        request,
        "online/form.html",
        {
            "target": target,
            "sections": _sections(target, definition, data, errors),
            "form_errors": errors.get("", []),
            "error_count": sum(len(v) for v in errors.values()),
            "error_list": [(code, "cau-" + code.replace(".", "-"), messages) for code, messages in errors.items() if code],
            "submission_key": key,
            "honeypot": HONEYPOT,
            "action": request.path,
            "scale_help": _scale_help(definition),
        },
        status=200,
    )


def _scale_help(definition) -> str:
    scale = next((q for q in definition.questions if q.kind == "scale"), None)
    if scale is None:
        return ""
    return "Mức hài lòng: " + ", ".join(f"{v} = {label}" for v, label in sorted(scale.options.items()))


def _sections(target, definition, data, errors) -> list[dict]:
    """The questionnaire as the template draws it: sections, questions, options with what is
    chosen (from the posted form when it is shown again with errors)."""
    sections = []
    for layout in questionnaire_sections(target.survey_round.questionnaire):
        questions = []
        for code in layout.question_codes:
            question = definition.by_code[code]
            chosen = set(data.getlist(code)) if data is not None else set()
            questions.append({
                "code": code,
                "anchor": "cau-" + code.replace(".", "-"),
                "text": question.text,
                "kind": question.kind,
                "input_type": "checkbox" if question.kind == "multi" else "radio",
                "max_choices": question.max_choices,
                "options": [
                    {"value": value, "label": label, "checked": str(value) in chosen,
                     "id": f"q-{code.replace('.', '-')}-{value}"}
                    for value, label in sorted(question.options.items())
                ],
                "gate": question.condition_question or "",
                "gate_values": " ".join(str(v) for v in sorted(question.condition_values)),
                "condition": definition.gate_hints[code].entry if code in definition.gate_hints else "",
                "text_value": data.get(code, "") if data is not None and question.kind == "text" else "",
                "errors": errors.get(code, []),
            })
        sections.append({"code": layout.code, "title": layout.title, "questions": questions})
    return sections


def desk_url(round_code: str, agency_code: str, domain_code: str) -> str:
    return reverse("online:desk", args=[round_code, agency_code, domain_code])
