from tests.conftest import page


def test_healthz_says_ok_when_database_reachable(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_home_lists_teams_grouped_by_unit_for_a_lead(lead, world):
    soup = page(lead.get("/"))
    assert "Adult community services" in soup.get_text()
    assert "Riverside CMHT" in soup.get_text()
    assert "Spring 2027" in soup.get_text()
