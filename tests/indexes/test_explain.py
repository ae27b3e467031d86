"""“Cách tính”: the sums shown to supervisors reproduce the stored indexes."""
import pytest

from indexes import services
from indexes.explain import explain
from indexes.models import IndexResult
from surveys.responses import services as survey_services
from surveys.responses.demo import generate_rows
from surveys.selectors import load_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed_round(langson_round):
    definition = load_definition(langson_round.questionnaire)
    plan = [("SNV", "TDKT", 6), ("SNV", "TNTG", 4), ("TPLS", "DATDAI", 5), ("TPLS-01", "HOTICH", 3)]
    rows = list(generate_rows(definition, plan, seed=5, first_day=langson_round.starts_on,
                              last_day=langson_round.ends_on, serial_prefix="CT-"))
    survey_services.save_parsed_rows(survey_round=langson_round, definition=definition, rows=rows, entered_by=None)
    services.recompute_round(round_id=langson_round.pk, force=True)
    return langson_round


@pytest.mark.parametrize(("scope", "code", "n"), [("agency", "SNV", 10), ("district_area", "TPLS", 8),
                                                   ("agency_domain", "SNV/TNTG", 4), ("province", "", 18)])
def test_sums_reproduce_the_stored_indexes(computed_round, scope, code, n):
    result = IndexResult.objects.get(round=computed_round, scope=scope, code=code)
    x = explain(computed_round, result)
    assert x.tally.n == n == result.n
    assert 100 * x.tally.sipas_sum / x.tally.sipas_n == pytest.approx(result.sipas)
    for factor in ("F1", "F5"):
        if x.tally.factor_n.get(factor):
            assert 100 * x.tally.factor_sum[factor] / x.tally.factor_n[factor] == pytest.approx(result.factors[factor])
    assert len(x.respondents) == n
    assert sum(line.b / line.a for line in x.respondents) == pytest.approx(x.tally.sipas_sum)
    assert sum(a for line in x.respondents for _, a in line.factor_counts) == sum(line.a for line in x.respondents)


def test_page_shows_the_sums_to_a_supervisor_and_hides_other_agencies(computed_round, client, django_user_model):
    from django.contrib.auth.models import Group

    from surveys.accounts import roles
    from surveys.models import Agency, Officer

    supervisor = django_user_model.objects.create_user("mttq", password="x-Mat-khau-2026")
    supervisor.groups.add(Group.objects.get(name=roles.SUPERVISOR))
    client.force_login(supervisor)
    page = client.get("/chi-so/LS-2022/cach-tinh/agency/SNV/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "CT-000001" in text and "Σ" in text

    district = django_user_model.objects.create_user("tpls", password="x-Mat-khau-2026")
    district.groups.add(Group.objects.get(name=roles.AGENCY))
    Officer.objects.create(user=district, agency=Agency.objects.get(code="TPLS"))
    client.force_login(district)
    assert client.get("/chi-so/LS-2022/cach-tinh/agency/SNV/").status_code == 404
    assert client.get("/chi-so/LS-2022/cach-tinh/district_area/TPLS/").status_code == 200
    assert client.get("/chi-so/LS-2022/cach-tinh/province/").status_code == 404
