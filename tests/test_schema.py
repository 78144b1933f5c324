"""The OpenAPI schema is generated without warnings and validates."""

from django.core.management import call_command


def test_openapi_schema_generates_cleanly(db, tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    text = target.read_text()
    for path in ("/api/v1/schedule-preview/", "/api/v1/applications/", "/api/v1/auth/login/"):
        assert path in text
