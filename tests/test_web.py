"""Health check, security headers, error pages and the per-request log line."""

import json
import logging
import re

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


EXPECTED_POLICY = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "publickey-credentials-get": "(self)",
}


def _policy(response) -> dict[str, str]:
    """Permissions-Policy is a structured-header dictionary: `feature=(allowlist), …`."""
    entries = [entry.strip() for entry in response["Permissions-Policy"].split(",")]
    pairs = [entry.split("=", 1) for entry in entries]
    assert all(len(pair) == 2 and pair[1] in ("()", "(self)") for pair in pairs), entries
    return dict(pairs)


def test_every_response_carries_the_permissions_policy(client, monkeypatch):
    login = client.get("/accounts/login/")
    css = re.search(r'href="(/static/[^"]+\.css)"', login.content.decode()).group(1)
    responses = [
        login,
        client.get("/healthz"),
        client.get("/no/such/page/"),
        client.get("/favicon.ico"),
        client.get(css),
    ]

    def unavailable(*args, **kwargs):
        raise dynamodb.DataStoreError("ServiceUnavailable")

    monkeypatch.setattr(dynamodb, "call", unavailable)
    responses.append(client.get("/h/some-hospital/intake/"))
    assert [r.status_code for r in responses] == [200, 200, 404, 200, 200, 503]
    for response in responses:
        policy = _policy(response)
        assert EXPECTED_POLICY.items() <= policy.items()
        assert not [f for f, allow in policy.items() if allow != "()" and "publickey" not in f]


def test_the_language_cookie_is_secure_in_production(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/accounts/login/"})
    cookie = response.cookies["solace_language"]
    assert cookie.value == "es"
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_the_favicon_is_served_and_linked(client, monkeypatch):
    def no_dynamodb(*args, **kwargs):
        raise AssertionError("the icon must not call DynamoDB")

    monkeypatch.setattr(dynamodb, "call", no_dynamodb)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in icon["Cache-Control"]
    page = client.get("/accounts/login/").content.decode()
    links = re.findall(r'<link rel="icon" href="([^"]+)"', page)
    assert len(links) == 2
    for link in links:
        served = client.get(link)
        assert served.status_code == 200
        assert b"".join(served.streaming_content)[:5] in (b"\x00\x00\x01\x00\x02", b"<svg ")
