// Every staff page. (1) A page that does not poll still locks: when the session's idle time
// is up it goes to the locked view, which comes back here after the password. Typing or
// clicking on the page meanwhile counts as activity: the page asks the server to keep the
// session open instead (a long form is not lost). (2) Back/Forward never shows a copy kept in
// the browser's memory: such a page is loaded again (a discharged patient must not come back
// as an editable "Waiting" record).
(function () {
  var body = document.body;
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });
  if (!body.dataset.idleSeconds || !body.dataset.lockedUrl) return;
  var lastActivity = 0;
  var timer = null;
  ["keydown", "pointerdown", "input"].forEach(function (type) {
    document.addEventListener(type, function () { lastActivity = Date.now(); }, true);
  });

  function csrfToken() {
    try { return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  function lock() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(body.dataset.lockedUrl + "?next=" + encodeURIComponent(here));
  }

  function arm(seconds) {
    clearTimeout(timer);
    timer = setTimeout(expire, Math.max(1, seconds) * 1000 + 500);
  }

  function expire() {
    var active = lastActivity && Date.now() - lastActivity < 120000;
    if (!active || !body.dataset.keepaliveUrl) return lock();
    fetch(body.dataset.keepaliveUrl, {
      method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": csrfToken()}
    }).then(function (response) {
      if (!response.ok) return lock();
      return response.json().then(function (data) {
        if (data.idle_seconds_left > 0) arm(data.idle_seconds_left); else lock();
      });
    }).catch(function () { arm(30); });
  }

  arm(Number(body.dataset.idleSeconds));
})();
