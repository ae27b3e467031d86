"""Report versions through the worker path (eager in tests), the report page, the prose
sections and their drafts, downloads and the audit trail, the command, the public pages."""
from __future__ import annotations

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from indexes.selectors import index_json
from reporting import services
from reporting.models import ReportFormat, ReportSection, ReportStatus, ReportText, ReportVersion
from surveys.accounts import roles
from surveys.models import AuditEntry, RoundStatus
from tests.security.users import make_user


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def round_with_data(langson_round):
    call_command("seed_demo", "--round", "LS-2022", "--responses", "120", "--seed", "7", verbosity=0)
    call_command("recompute_indexes", "--round", "LS-2022", verbosity=0)
    langson_round.refresh_from_db()
    return langson_round


@pytest.fixture
def people(langson_round):
    return {
        "staff": make_user("canbo.snv", roles.STAFF, agency="SNV"),
        "leader": make_user("lanhdao", roles.LEADER),
        "agency": make_user("tpls", roles.AGENCY, agency="TPLS"),
        "supervisor": make_user("mttq", roles.SUPERVISOR),
    }


def test_request_report_builds_a_version_through_the_task(round_with_data, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        version = services.request_report(survey_round=round_with_data, report_format="xlsx", user=people["staff"])
        assert ReportVersion.objects.get(pk=version.pk).status == ReportStatus.QUEUED  # nothing before commit
    assert len(callbacks) == 1
    version.refresh_from_db()
    assert version.status == ReportStatus.DONE and version.progress == 100 and version.error == ""
    assert version.file.name.startswith("reports/LS-2022/") and version.size == version.file.size > 0
    workbook = load_workbook(io.BytesIO(version.file.read()))
    data = index_json(round_with_data)
    province = next(r for r in data["results"] if r["scope"] == "province")
    assert workbook["B4 Yếu tố"].cell(row=len(province["factors"]) + 2, column=4).value == province["sipas"]
    actions = list(AuditEntry.objects.filter(round_code="LS-2022").values_list("action", flat=True))
    assert "yêu cầu tạo báo cáo" in actions and "tạo xong báo cáo" in actions
    # Idempotent: a redelivered task leaves the finished version as it is.
    finished_at, name = version.finished_at, version.file.name
    again = services.build_version(version_id=version.pk)
    assert (again.finished_at, again.file.name) == (finished_at, name)


def test_a_failing_build_is_recorded_and_raised(round_with_data, people, monkeypatch):
    version = ReportVersion.objects.create(round=round_with_data, format="pdf", created_by=people["staff"])

    def broken(*args, **kwargs):
        raise RuntimeError("hết bộ nhớ")

    monkeypatch.setattr(services, "build_report_bytes", broken)
    with pytest.raises(RuntimeError):
        services.build_version(version_id=version.pk)
    version.refresh_from_db()
    assert version.status == ReportStatus.FAILED and "hết bộ nhớ" in version.error and not version.file


def test_the_task_ignores_a_deleted_version(db):
    from reporting.tasks import build_report_version

    assert build_report_version.apply(args=(987654,)).get() == 0


def test_draft_from_the_data_fills_empty_sections_and_keeps_written_ones(round_with_data, people):
    services.save_report_text(survey_round=round_with_data, section_key="uu_diem", body="Viết tay.", user=people["staff"])
    written = services.draft_report_texts(survey_round=round_with_data, user=people["staff"])
    assert "uu_diem" not in written and set(written) == set(ReportSection.values) - {"uu_diem"}
    texts = dict(ReportText.objects.filter(round=round_with_data).values_list("section_key", "body"))
    assert texts["uu_diem"] == "Viết tay."
    weakest = min(
        (v, c) for c, v in next(r for r in index_json(round_with_data)["results"] if r["scope"] == "province")[
            "criteria"].items() if v is not None
    )
    assert weakest[1] in texts["phan_tich"]  # the weakest criterion is named
    assert "dưới mục tiêu 90,00%" in texts["han_che"]
    services.draft_report_texts(survey_round=round_with_data, user=people["staff"], replace=True)
    assert ReportText.objects.get(round=round_with_data, section_key="uu_diem").body != "Viết tay."
    assert AuditEntry.objects.filter(action="tạo bản nháp báo cáo từ số liệu").count() == 2


def test_report_page_roles(client, round_with_data, people):
    url = "/bao-cao/LS-2022/"
    client.force_login(people["staff"])
    page = client.get(url).content.decode()
    assert "Tạo bản nháp từ số liệu" in page and "Tạo PDF" in page and 'name="phan_tich"' in page
    client.force_login(people["leader"])
    page = client.get(url).content.decode()
    assert client.get(url).status_code == 200 and 'name="phan_tich"' not in page and "Tạo PDF" not in page
    assert client.post("/bao-cao/LS-2022/tao/", {"format": "pdf"}).status_code == 403
    for role in ("agency", "supervisor"):
        client.force_login(people[role])
        assert client.get(url).status_code == 403


def test_save_texts_and_bad_input(client, round_with_data, people):
    client.force_login(people["staff"])
    response = client.post("/bao-cao/LS-2022/noi-dung/", {"phan_tich": "Phân tích của Sở.", "kien_nghi": ""})
    assert response.status_code == 302
    assert ReportText.objects.get(round=round_with_data, section_key="phan_tich").body == "Phân tích của Sở."
    entry = AuditEntry.objects.filter(action="sửa nội dung báo cáo").latest("pk")
    assert entry.after == {"phan_tich": "Phân tích của Sở."} and entry.actor == people["staff"]
    too_long = "x" * (services.MAX_SECTION_LENGTH + 1)
    response = client.post("/bao-cao/LS-2022/noi-dung/", {"phan_tich": "Khác.", "uu_diem": too_long})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ưu điểm" in page and "tối đa 20000 ký tự" in page
    # Nothing saved: the valid field of the same form is not saved either.
    assert ReportText.objects.get(round=round_with_data, section_key="phan_tich").body == "Phân tích của Sở."
    response = client.post("/bao-cao/LS-2022/tao/", {"format": "docx"}, follow=True)
    assert "Định dạng “docx” không hỗ trợ" in response.content.decode()
    assert not ReportVersion.objects.exists()


def test_generate_status_and_download(client, round_with_data, people, django_capture_on_commit_callbacks):
    client.force_login(people["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/bao-cao/LS-2022/tao/", {"format": "xlsx"}).status_code == 302
    version = ReportVersion.objects.get()
    status = client.get(f"/bao-cao/LS-2022/phien-ban/{version.pk}/trang-thai/").json()
    assert status == {"id": version.pk, "status": "done", "status_label": "Hoàn thành", "progress": 100,
                      "finished": True, "error": ""}
    client.force_login(people["leader"])  # leadership downloads any version
    response = client.get(f"/bao-cao/LS-2022/phien-ban/{version.pk}/tai/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert load_workbook(io.BytesIO(b"".join(response.streaming_content)))["PL2 Theo cơ quan"].max_row == 87
    assert AuditEntry.objects.filter(action="tải báo cáo", actor=people["leader"]).exists()
    client.force_login(people["agency"])
    assert client.get(f"/bao-cao/LS-2022/phien-ban/{version.pk}/tai/").status_code == 403


def test_build_report_command(round_with_data, tmp_path):
    out = tmp_path / "bao-cao.xlsx"
    call_command("build_report", "--round", "LS-2022", "--format", "xlsx", "--out", str(out))
    workbook = load_workbook(out)
    assert len(list(workbook["PL2 Theo cơ quan"].iter_rows(min_row=2))) == 86
    with pytest.raises(CommandError, match="Không có đợt khảo sát mã XX"):
        call_command("build_report", "--round", "XX", "--format", "xlsx", "--out", str(out))
    with pytest.raises(CommandError, match="không tồn tại"):
        call_command("build_report", "--round", "LS-2022", "--format", "xlsx", "--out", str(tmp_path / "khong" / "a"))


def _publish(survey_round):
    survey_round.status = RoundStatus.PUBLISHED
    survey_round.save(update_fields=["status"])


def test_public_pages_show_only_published_rounds(client, round_with_data):
    assert client.get("/cong-khai/LS-2022/").status_code == 404
    assert "Khảo sát SIPAS tỉnh Lạng Sơn năm 2022" not in client.get("/cong-khai/").content.decode()
    version = ReportVersion.objects.create(round=round_with_data, format=ReportFormat.PDF, status=ReportStatus.DONE)
    version.file.save("bao-cao.pdf", ContentFile(b"%PDF-1.7 thu"), save=True)
    assert client.get("/cong-khai/LS-2022/bao-cao.pdf").status_code == 404  # not published yet

    _publish(round_with_data)
    home = client.get("/cong-khai/").content.decode()
    data = index_json(round_with_data)
    province = next(r for r in data["results"] if r["scope"] == "province")
    from sipas_portal.formatting import format_percent

    assert format_percent(province["sipas"]) in home and "<svg" in home and "/cong-khai/LS-2022/bao-cao.pdf" in home
    page = client.get("/cong-khai/LS-2022/").content.decode()
    for result in data["results"]:
        if result["scope"] == "agency":
            assert f'data-agency="{result["code"]}"' in page
            assert format_percent(result["sipas"]) in page
    assert "Nguyễn" not in page and "ma_phieu" not in page and "DEMO-7-" not in page  # no personal data, no serials
    response = client.get("/cong-khai/LS-2022/bao-cao.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7 thu"
    assert AuditEntry.objects.filter(action="tải báo cáo", note="trang công khai").exists()


def test_public_pdf_is_the_latest_done_pdf(round_with_data):
    from reporting.selectors import published_pdf

    _publish(round_with_data)
    old = ReportVersion.objects.create(round=round_with_data, format="pdf", status=ReportStatus.DONE)
    old.file.save("cu.pdf", ContentFile(b"cu"), save=True)
    ReportVersion.objects.create(round=round_with_data, format="pdf", status=ReportStatus.FAILED)
    ReportVersion.objects.create(round=round_with_data, format="xlsx", status=ReportStatus.DONE)
    assert published_pdf(round_with_data) == old
    new = ReportVersion.objects.create(round=round_with_data, format="pdf", status=ReportStatus.DONE)
    new.file.save("moi.pdf", ContentFile(b"moi"), save=True)
    assert published_pdf(round_with_data) == new


def test_json_and_report_share_one_computation(round_with_data, client, people):
    """The report's content is built from index_json: the same dictionary the JSON download gives."""
    from reporting.selectors import report_content

    client.force_login(people["staff"])
    downloaded = json.loads(b"".join(client.get("/chi-so/LS-2022/json/").streaming_content)
                            if hasattr(client.get("/chi-so/LS-2022/json/"), "streaming_content")
                            else client.get("/chi-so/LS-2022/json/").content)
    content = report_content(round_with_data)
    agencies = {r["code"]: r for r in downloaded["results"] if r["scope"] == "agency"}
    assert {a.code for a in content.agencies} == set(agencies)
    for row in content.agencies:
        assert row.sipas == agencies[row.code]["sipas"] and row.n == agencies[row.code]["n"]


def test_a_round_without_results_still_gives_a_complete_document(langson_round, tmp_path):
    """Before any questionnaire: both files are produced, saying there is no result yet."""
    import subprocess

    from reporting.services import build_report_bytes

    xlsx = load_workbook(io.BytesIO(build_report_bytes(langson_round, "xlsx")))
    assert xlsx["PL2 Theo cơ quan"].max_row == 1 and xlsx["PL1 Mẫu theo cơ quan"].max_row == 87
    pdf = tmp_path / "rong.pdf"
    pdf.write_bytes(build_report_bytes(langson_round, "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Đợt khảo sát chưa có kết quả chỉ số." in text and "KT. GIÁM ĐỐC" in text
