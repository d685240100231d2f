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


def test_every_template_compiles_at_start_up_when_asked(migrated):
    """gunicorn.conf.py compiles all templates in the master; a broken one must stop start-up."""
    from assessment import create_app
    from assessment.jinja import compile_templates

    app = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": migrated,
                      "PRECOMPILE_TEMPLATES": True})
    assert compile_templates(app) > 100  # ours and nhsuk-frontend-jinja's
