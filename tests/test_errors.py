"""Error pages during a DynamoDB outage, for signed-in staff too: they render without a single
data-store call, 503 says when to retry; expected 4xx are warnings without a traceback."""

import logging

import pytest
from django.test import Client

from accounts import repository as accounts_repository
from accounts.domain import Role
from solace import dynamodb

pytestmark = pytest.mark.urls("tests.urls")


@pytest.fixture
def staff_browser(make_staff, sign_in):
    """A signed-in nurse whose browser sees 500s as pages (not as test exceptions)."""
    browser = Client(raise_request_exception=False)
    browser.get("/accounts/login/")  # the CSRF cookie
    return sign_in(make_staff(Role.NURSE), browser=browser)


@pytest.fixture
def outage(monkeypatch):
    """Every DynamoDB call fails as when the retry budget is spent; the calls are recorded."""
    calls = []

    def unavailable(operation, **kwargs):
        calls.append(operation)
        raise dynamodb.DataStoreError("ServiceUnavailable")

    monkeypatch.setattr(dynamodb, "call", unavailable)
    return calls


def _csrf_failure(browser):
    strict = Client(enforce_csrf_checks=True, raise_request_exception=False)
    strict.cookies = browser.cookies
    return strict.post("/accounts/logout/")  # no token


PAGES = {
    "404 unknown page": (lambda b: b.get("/no/such/page/"), 404, "This page does not exist."),
    "403 CSRF failure": (_csrf_failure, 403, "This form has expired."),
    "400 tampered cursor": (
        lambda b: b.get("/probe/paged/", {"cursor": "x"}),
        400,
        "could not be understood",
    ),
    "400 bad request": (lambda b: b.get("/probe/bad-request/"), 400, "could not be understood"),
    "500 a bug": (lambda b: b.get("/probe/boom/"), 500, "Something went wrong on our side."),
}


@pytest.mark.parametrize("page", PAGES, ids=list(PAGES))
def test_error_pages_make_no_datastore_call_for_signed_in_staff(staff_browser, outage, page):
    request, status, message = PAGES[page]
    response = request(staff_browser)
    assert response.status_code == status
    body = response.content.decode()
    assert message in body and response["X-Request-ID"] in body
    assert "Sign out" not in body  # no staff navigation: that would read the session
    assert outage == []


def test_outage_shows_503_with_retry_after_and_the_page_reads_nothing(
    staff_browser, outage, caplog
):
    with caplog.at_level(logging.INFO):
        response = staff_browser.get("/probe/signed-in/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Please try again" in response.content.decode()
    assert outage == ["get_item"]  # the view's session read, nothing after it
    [warning] = [r for r in caplog.records if r.getMessage() == "datastore unavailable"]
    assert warning.levelno == logging.WARNING and not warning.exc_info


def test_the_home_page_during_an_outage_is_503(staff_browser, outage):
    response = staff_browser.get("/")
    assert response.status_code == 503 and response["Retry-After"]
    assert outage == ["get_item"]


def test_a_failure_after_the_view_is_503_too(staff_browser, clock, monkeypatch):
    """The idle deadline is moved after the view answered: DynamoDB failing there is an outage
    (503, retry), not a bug (500)."""
    clock.advance(120)  # the session is due for a touch

    def touch_fails(*args, **kwargs):
        raise dynamodb.DataStoreError("ServiceUnavailable")

    monkeypatch.setattr(accounts_repository, "session_touch", touch_fails)
    response = staff_browser.get("/probe/signed-in/")
    assert response.status_code == 503 and response["Retry-After"] == "5"


def test_an_error_response_never_moves_the_idle_deadline(staff_browser, clock, monkeypatch):
    clock.advance(120)
    touched = []
    monkeypatch.setattr(
        accounts_repository, "session_touch", lambda *args, **kwargs: touched.append(args)
    )
    assert staff_browser.get("/probe/signed-in-boom/").status_code == 500
    assert touched == []
    assert staff_browser.get("/probe/signed-in/").status_code == 200
    assert len(touched) == 1  # a real page still does


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/no/such/page/", 404, "Resolver404"),
        ("/probe/hospital/not-mine/", 404, "Http404"),
        ("/probe/admin/", 403, "PermissionDenied"),
        ("/probe/paged/?cursor=x", 400, "InvalidCursor"),
        ("/probe/bad-request/", 400, "BadRequest"),
    ],
)
def test_expected_4xx_are_warnings_without_traceback_path_or_text(
    staff_browser, caplog, path, status, error
):
    with caplog.at_level(logging.DEBUG):
        response = staff_browser.get(path)
    assert response.status_code == status
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [(r.name, r.getMessage(), r.levelno) for r in problems] == [
        ("solace.request", "client error", logging.WARNING)
    ] or (error == "Resolver404" and problems == [])
    for record in caplog.records:
        assert not record.exc_info, record.getMessage()
        assert "/probe/" not in record.getMessage() and "/no/such" not in record.getMessage()
    if problems:
        assert problems[0].error == error and problems[0].status == status
    [line] = [r for r in caplog.records if r.getMessage() == "request"]
    assert line.status == status


def test_an_unhandled_error_is_logged_once_with_its_traceback(staff_browser, caplog):
    with caplog.at_level(logging.INFO):
        assert staff_browser.get("/probe/boom/").status_code == 500
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.getMessage() == "unhandled error" and error.exc_info[0] is RuntimeError
