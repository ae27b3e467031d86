"""The users and helpers of the phiếu tests (tests/responses/conftest.py), shared here, and the
double-entry round."""
import pytest

from tests.responses.conftest import (  # noqa: F401
    entry_officer,
    make_user,
    other_officer,
    parsed_row,
    record,
    staff_user,
    supervisor,
)


@pytest.fixture
def double_round(langson_round):
    """LS-2022 with every paper questionnaire drawn for double entry."""
    langson_round.double_entry_percent = 100
    langson_round.save(update_fields=["double_entry_percent"])
    return langson_round


def stp_row(survey_round, ma_phieu: str = "STP-0001", **answers):
    """A valid STP questionnaire as the services take it."""
    return parsed_row(survey_round, agency="STP", ma_phieu=ma_phieu, **answers)
