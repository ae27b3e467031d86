import json
import re

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from sipas_portal.xlsx import XLSX_CONTENT_TYPE
from surveys.selectors import rounds

from . import selectors
from .exports import index_workbook


def _attachment(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    return response


@login_required
@require_safe
def round_indexes(request, code):
    survey_round = get_object_or_404(rounds(), code=code)
    return render(
        request,
        "indexes/round_indexes.html",
        {"round": survey_round, "table": selectors.index_table(survey_round)},
    )


@login_required
@require_safe
def round_indexes_json(request, code):
    survey_round = get_object_or_404(rounds(), code=code)
    text = json.dumps(selectors.index_json(survey_round), ensure_ascii=False, indent=1)
    return _attachment(text, "application/json; charset=utf-8", f"chi-so-{survey_round.code}.json")


@login_required
@require_safe
def round_indexes_xlsx(request, code):
    survey_round = get_object_or_404(rounds(), code=code)
    return _attachment(index_workbook(survey_round), XLSX_CONTENT_TYPE, f"chi-so-{survey_round.code}.xlsx")
