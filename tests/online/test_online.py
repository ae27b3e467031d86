"""Public online questionnaire: desk links, one-time tokens, duplicate submissions, gating,
rate limits, honeypot, availability."""
from __future__ import annotations

import re

import pytest

from surveys.models import Agency, AuditEntry, Channel, ContactStatus, FrameContact, Response, RoundStatus
from surveys.sampling import frames
from tests.caching import use_own_cache_namespace
from tests.frames.conftest import frame_bytes, paper_row, people

pytestmark = pytest.mark.django_db

DESK = "/phieu/LS-2022/STP/LLTP/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Every test counts its POSTs from zero, in a cache namespace of its own: the cache is
    shared with the other test processes, which a `cache.clear()` would disturb."""
    use_own_cache_namespace(settings)


def answers(**overrides) -> dict:
    """A complete, valid form post of SIPAS-LS-2022 (field name = question code)."""
    data = {"A1": "1", "A2": "3", "A3": "2", "A4": "5", "A5": "4", "A6": "1", "B1": ["1", "2"], "B2": "1",
            "B3": "1", "B4": "2", "B6": "2", "B7": "2", "D1": ["2", "3"], "D2": "Cán bộ nhiệt tình"}
    for code in ("C1.1", "C1.2", "C1.3", "C2.1", "C2.2", "C2.3", "C2.4", "C2.5", "C3.1", "C3.2", "C3.3", "C3.4",
                 "C3.5", "C3.6", "C4.1", "C4.2", "C4.3", "C4.4"):
        data[code] = "4"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def form_key(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="submission_key" value="([^"]+)"', page.content.decode()).group(1)


def test_desk_form_is_public_and_mobile_ready(client, langson_round):
    page = client.get(DESK)
    text = page.content.decode()
    assert page.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "Sở Tư pháp" in text or "STP" in text
    assert 'type="radio" name="C1.1"' in text and 'type="checkbox" name="B1"' in text
    assert 'data-gate="B7" data-gate-values="1"' in text  # C5.* shown only when B7 = 1
    assert "csrfmiddlewaretoken" in text and 'name="website"' in text
    assert "style=" not in text and "<script>" not in text


def test_desk_answer_is_saved_once_online(client, langson_round):
    key = form_key(client, DESK)
    response = client.post(DESK, {**answers(), "submission_key": key})
    assert response.status_code == 302 and response["Location"] == "/phieu/cam-on/"
    saved = Response.objects.get()
    assert saved.channel == Channel.TRUC_TUYEN and saved.entered_by is None
    assert saved.agency.code == "STP" and saved.domain.code == "LLTP"
    assert re.fullmatch(r"TT-[A-Z2-9]{8}", saved.ma_phieu)
    assert saved.submission_key == key
    assert {a.question.code: a.value for a in saved.answers.all() if a.question.code == "C1.1"} == {"C1.1": 4}
    assert sorted(a.value for a in saved.answers.filter(question__code="B1")) == [1, 2]
    assert saved.answers.get(question__code="D2").text == "Cán bộ nhiệt tình"
    # The same form sent again (double click, back and resend): thank-you page, nothing saved.
    again = client.post(DESK, {**answers(A1="2"), "submission_key": key}, follow=True)
    assert again.status_code == 200 and "Cảm ơn Ông/Bà" in again.content.decode()
    assert Response.objects.count() == 1 and saved.answers.get(question__code="A1").value == 1
    assert AuditEntry.objects.filter(action="nhập phiếu", target_id=str(saved.pk)).exists()


def test_gated_off_answer_is_refused_with_the_question_named(client, langson_round):
    key = form_key(client, DESK)
    response = client.post(DESK, {**answers(B7="2", **{"C5.1": "5"}), "submission_key": key})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Phiếu chưa được gửi" in text
    assert "Câu C5.1</a>: Chỉ trả lời khi B7 = 1" in text
    assert "Hãy bỏ chọn câu này hoặc sửa câu trả lời ở câu B7" in text
    assert Response.objects.count() == 0
    # With the gate open the same answer is taken.
    client.post(DESK, {**answers(B7="1", **{"C5.1": "5"}), "submission_key": key})
    assert Response.objects.get().answers.get(question__code="C5.1").value == 5


def test_bad_options_and_empty_form_are_refused(client, langson_round):
    key = form_key(client, DESK)
    text = client.post(DESK, {**answers(**{"C1.1": "9"}), "submission_key": key}).content.decode()
    assert "Câu C1.1</a>: Không có phương án 9" in text
    text = client.post(DESK, {**answers(D1=["1", "2", "3", "4"]), "submission_key": key}).content.decode()
    assert "Câu D1</a>: Chọn tối đa 3 phương án" in text
    text = client.post(DESK, {"A1": "1", "submission_key": key}).content.decode()
    assert "chưa đánh giá mức độ hài lòng ở câu nào" in text
    assert 'value="1" checked' in text  # what was chosen stays chosen
    assert Response.objects.count() == 0


def test_unknown_or_closed_desk_links(client, langson_round):
    assert client.get("/phieu/LS-2022/STP/DATDAI/").status_code == 404  # STP does not survey DATDAI
    assert client.get("/phieu/LS-2099/STP/LLTP/").status_code == 404
    langson_round.online_enabled = False
    langson_round.save()
    page = client.get(DESK)
    assert page.status_code == 403 and "không nhận trả lời trực tuyến" in page.content.decode()
    langson_round.online_enabled = True
    langson_round.status = RoundStatus.CLOSED
    langson_round.save()
    assert client.post(DESK, {**answers(), "submission_key": "k" * 30}).status_code == 403
    assert Response.objects.count() == 0


def test_honeypot_saves_nothing(client, langson_round):
    key = form_key(client, DESK)
    response = client.post(DESK, {**answers(), "submission_key": key, "website": "http://spam.example"})
    assert response.status_code == 302 and response["Location"] == "/phieu/cam-on/"
    assert Response.objects.count() == 0


def test_missing_submission_key_saves_nothing(client, langson_round):
    text = client.post(DESK, answers()).content.decode()
    assert "Phiên trả lời không hợp lệ" in text
    assert Response.objects.count() == 0


def test_rate_limit_per_address_returns_a_vietnamese_429(client, langson_round, settings):
    settings.SIPAS_ONLINE_RATE_PER_IP = "3/m"
    for _ in range(3):
        assert client.post(DESK, {"A1": "1"}).status_code == 200  # counted even when invalid
    limited = client.post(DESK, {**answers(), "submission_key": form_key(client, DESK)})
    assert limited.status_code == 429
    assert "Quá nhiều lượt gửi phiếu" in limited.content.decode()
    assert Response.objects.count() == 0
    assert client.get(DESK).status_code == 200  # reading the form is not limited


def test_rate_limit_per_link_and_generous_default(client, langson_round, settings):
    settings.SIPAS_ONLINE_RATE_PER_LINK = "2/m"
    for address in ("10.0.0.1", "10.0.0.2"):
        assert client.post(DESK, {"A1": "1"}, REMOTE_ADDR=address).status_code == 200
    assert client.post(DESK, {"A1": "1"}, REMOTE_ADDR="10.0.0.3").status_code == 429
    assert client.post("/phieu/LS-2022/STP/CCHUNG/", {"A1": "1"}, REMOTE_ADDR="10.0.0.3").status_code == 200
    del settings.SIPAS_ONLINE_RATE_PER_LINK
    use_own_cache_namespace(settings)
    # A busy desk behind one public address: 40 people in a minute all get their answer saved.
    for _ in range(40):
        response = client.post(DESK, {**answers(), "submission_key": form_key(client, DESK)})
        assert response.status_code == 302
    assert Response.objects.count() == 40


# --------------------------------------------------------------------------- tokens
@pytest.fixture
def drawn(langson_round):
    from surveys.accounts import roles
    from tests.security.users import make_user

    staff = make_user("canbo.snv", roles.STAFF, agency="SNV")
    frames.upload_frame(survey_round=langson_round, agency=Agency.objects.get(code="STP"),
                        source=frame_bytes(people(12, "LLTP")), filename="stp.xlsx", uploaded_by=staff)
    frames.draw_sample(survey_round=langson_round, seed=11, drawn_by=staff)
    return FrameContact.objects.get(ma_phieu="KM-STP-LLTP-001")


def test_token_answer_is_saved_under_the_contacts_serial_once(client, drawn):
    url = f"/phieu/t/{drawn.token}/"
    page = client.get(url).content.decode()
    assert "KM-STP-LLTP-001" in page and drawn.full_name not in page  # no personal data on the form
    key = form_key(client, url)
    assert client.post(url, {**answers(), "submission_key": key})["Location"] == "/phieu/cam-on/"
    saved = Response.objects.get()
    assert (saved.ma_phieu, saved.agency.code, saved.domain.code) == ("KM-STP-LLTP-001", "STP", "LLTP")
    drawn.refresh_from_db()
    assert drawn.status == ContactStatus.RETURNED and drawn.response == saved and drawn.token_used_at
    # A double click of the same form: thank-you, nothing more.
    assert client.post(url, {**answers(), "submission_key": key})["Location"] == "/phieu/cam-on/"
    # The token used again, with a new form: refused with a clear page.
    used = client.get(url)
    assert used.status_code == 410 and "Mã này đã được dùng" in used.content.decode()
    used = client.post(url, {**answers(), "submission_key": "n" * 32})
    assert used.status_code == 410 and "Mã này đã được dùng" in used.content.decode()
    assert Response.objects.count() == 1


def test_token_of_a_questionnaire_returned_on_paper_is_spent(client, drawn, langson_round):
    from surveys.responses.services import record_response

    record_response(survey_round=langson_round, row=paper_row("KM-STP-LLTP-001"), entered_by=None)
    response = client.get(f"/phieu/t/{drawn.token}/")
    assert response.status_code == 410 and "Mã này đã được dùng" in response.content.decode()


def test_unknown_token_and_redrawn_token(client, drawn, langson_round):
    assert client.get("/phieu/t/khong-co-ma-nay/").status_code == 404
    old = drawn.token
    frames.draw_sample(survey_round=langson_round, seed=11, drawn_by=drawn.frame.uploaded_by)  # redraw
    page = client.get(f"/phieu/t/{old}/")
    assert page.status_code == 404 and "Mã trả lời không đúng" in page.content.decode()


def test_token_after_purge_is_gone(client, drawn, langson_round):
    langson_round.status = RoundStatus.CLOSED
    langson_round.save()
    frames.purge_frames(survey_round=langson_round, purged_by=drawn.frame.uploaded_by)
    assert client.get(f"/phieu/t/{drawn.token}/").status_code == 404
