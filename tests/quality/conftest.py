"""The users and helpers of the phiếu tests (tests/responses/conftest.py), shared here."""
from tests.responses.conftest import (  # noqa: F401
    entry_officer,
    make_user,
    other_officer,
    record,
    staff_user,
    supervisor,
)
