"""The demo round's report, built once per test session (a PDF takes tens of seconds).

`built_report` loads LS-2022, adds 895 demo questionnaires (seed 2022, as `make run` does),
computes the indexes, builds the PDF and XLSX through `reporting.services.build_report_bytes`
(the worker's code) and keeps the files with the index export they must agree with; then it
empties the database and loads the reference data again, so the tests that follow find the
database as `django_db_setup` left it.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import ARTIFACTS, load_reference_data, reference_data_loaded

REPORT_DIR = ARTIFACTS / "report"


@pytest.fixture(scope="session")
def built_report(django_db_setup, django_db_blocker):
    from django.db import connection

    from indexes.selectors import index_json
    from reporting.selectors import report_content
    from reporting.services import build_report_bytes
    from surveys.models import SurveyRound

    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        # Only ever on the test database: pytest-django sets it up for sessions whose tests are
        # marked django_db (the modules using this fixture are), and this flushes it afterwards.
        name = str(connection.settings_dict["NAME"])
        assert "test" in name or "memory" in name, f"không phải CSDL kiểm thử: {name}"
        try:
            if not reference_data_loaded():
                load_reference_data()
            call_command("seed_demo", "--round", "LS-2022", "--responses", "895", "--seed", "2022", verbosity=0)
            call_command("recompute_indexes", "--round", "LS-2022", verbosity=0)
            survey_round = SurveyRound.objects.select_related("questionnaire").get(code="LS-2022")
            data = index_json(survey_round)
            content = report_content(survey_round, data=data)
            pdf = build_report_bytes(survey_round, "pdf")
            xlsx = build_report_bytes(survey_round, "xlsx")
            agencies = list(survey_round.round_agencies.values_list("agency__code", "agency__name"))
        finally:
            call_command("flush", interactive=False, verbosity=0)
            load_reference_data()
    pdf_path = REPORT_DIR / "bao-cao-LS-2022.pdf"
    xlsx_path = REPORT_DIR / "bao-cao-LS-2022.xlsx"
    pdf_path.write_bytes(pdf)
    xlsx_path.write_bytes(xlsx)
    return {
        "data": data,
        "content": content,
        "pdf": pdf_path,
        "xlsx": xlsx_path,
        "agencies": agencies,
    }


def pdftotext(path: Path, *, layout: bool = True, first: int | None = None, last: int | None = None) -> str:
    command = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        command.append("-layout")
    if first:
        command += ["-f", str(first)]
    if last:
        command += ["-l", str(last)]
    return subprocess.run([*command, str(path), "-"], check=True, capture_output=True, text=True).stdout
