from tests.setup.conftest import add_response, agency_user, staff_user  # noqa: F401
