from tests.responses.conftest import (  # noqa: F401  (shared fixtures)
    entry_officer,
    make_user,
    other_officer,
    record,
    staff_user,
    supervisor,
)
