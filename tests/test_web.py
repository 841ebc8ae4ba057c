"""Health check, security headers, error pages and the per-request log line."""

import json
import logging

from solace import dynamodb


def test_healthz_answers_without_touching_dynamodb(client, monkeypatch):
    def no_dynamodb(*args, **kwargs):
        raise AssertionError("healthz must not call DynamoDB")

    monkeypatch.setattr(dynamodb, "call", no_dynamodb)
    monkeypatch.setattr(dynamodb, "get_client", no_dynamodb)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_security_headers(client):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_production_cookies_are_secure_and_http_only(client, make_staff, sign_in):
    client.get("/accounts/login/")  # the form sets the CSRF cookie
    sign_in(make_staff())
    session_cookie = client.cookies["solace_session"]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["secure"]


def test_hsts_over_https(client):
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_htmx_is_served_locally_and_gets_the_csrf_header(client):
    body = client.get("/accounts/login/").content.decode()
    assert "hx-headers" in body and "X-CSRFToken" in body
    assert "https://" not in body.split("<body")[0]  # nothing loaded from another origin


def test_unknown_page_is_a_plain_404_with_a_reference(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response["X-Request-ID"] in response.content.decode()


def test_one_json_log_line_per_request_with_route_not_path(client, caplog, make_staff):
    staff = make_staff()
    with caplog.at_level(logging.INFO, logger="solace.request"):
        client.post(
            "/accounts/login/",
            {"email": staff.email, "password": "wrong-password"},
            headers={"X-Request-ID": "probe-request-0001"},
        )
    records = [r for r in caplog.records if r.name == "solace.request"]
    assert len(records) == 1
    record = records[0]
    assert record.route == "accounts/login/"
    assert record.status == 400
    # The request id is the server's own; the client's is kept apart.
    assert record.request_id != "probe-request-0001" and len(record.request_id) == 32
    assert record.client_request_id == "probe-request-0001"
    assert record.dynamodb_requests >= 2  # throttle read, staff lookup, failure counters
    from solace.logging import JsonFormatter

    line = json.loads(JsonFormatter().format(record))
    assert staff.email not in json.dumps(line)
    assert line["dynamodb_requests"] == record.dynamodb_requests


def test_datastore_failure_shows_please_try_again(client, monkeypatch, make_staff):
    staff = make_staff()

    def unavailable(*args, **kwargs):
        raise dynamodb.DataStoreError("ProvisionedThroughputExceededException")

    monkeypatch.setattr(dynamodb, "call", unavailable)
    response = client.post("/accounts/login/", {"email": staff.email, "password": "x" * 12})
    assert response.status_code == 503
    assert "Please try again" in response.content.decode()
    assert response["Retry-After"]


def test_spanish_is_offered(client):
    response = client.get("/accounts/login/", headers={"Accept-Language": "es"})
    assert response["Content-Language"] == "es"
