// Patient pages. Progressive enhancement only: every page works without this file.
// - The form: a double tap sends one request (the idempotency key makes a second one harmless
//   anyway); after a failed submit the error summary takes the focus and its links focus
//   their field.
// - The status page asks every few seconds whether the visit changed (204 when it did not),
//   swaps in the new state and announces it to screen readers.
// - A kiosk clears a half-filled form after a while without input (with a warning first) and
//   a patient's page after a few seconds; it never shows a page from the browser's history.
(function () {
  "use strict";

  // --- Back/forward cache: never show an old page of this kind from memory. -------------------
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && (document.body.classList.contains("kiosk") || document.getElementById("visit"))) {
      window.location.reload();
    }
  });

  // --- The form ---------------------------------------------------------------------------
  function setUpForm() {
    var form = document.getElementById("intake-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && (submitter.name === "language" || submitter.name === "back")) return;
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      var button = form.querySelector("button[data-register]");
      if (button && (!submitter || submitter === button || !submitter.name)) {
        button.setAttribute("aria-disabled", "true");
        button.textContent = button.dataset.sendingLabel || button.textContent;
      }
    });
    window.addEventListener("pageshow", function () { delete form.dataset.sending; });

    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (!field) return;
        event.preventDefault();
        var group = field.closest(".field");
        field.focus();
        if (group) group.scrollIntoView({ block: "start" });
      });
    }
  }

  // --- Kiosk: clear a half-filled form after a while without input -------------------------
  function setUpKioskIdle() {
    var dialog = document.getElementById("kiosk-idle");
    var form = document.getElementById("intake-form");
    if (!dialog || !form) return;
    var idle = Number(dialog.dataset.idle) * 1000;
    var warning = Number(dialog.dataset.warning) * 1000;
    var countdown = dialog.querySelector("[data-countdown]");
    var stillHere = dialog.querySelector("[data-still-here]");
    // Answers from an earlier step or a failed submit are on this page already.
    var dirty = form.querySelector("input[name=step][value='2']") !== null ||
      document.getElementById("error-summary") !== null;
    var last = Date.now();
    var returnFocus = null;

    function activity() {
      if (!dialog.hidden) return;
      last = Date.now();
    }
    ["input", "change", "keydown", "pointerdown", "touchstart"].forEach(function (name) {
      document.addEventListener(name, activity, true);
    });
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });

    stillHere.addEventListener("click", function () {
      dialog.hidden = true;
      last = Date.now();
      if (returnFocus) returnFocus.focus();
    });

    setInterval(function () {
      if (!dirty) { last = Date.now(); return; }
      var quiet = Date.now() - last;
      if (quiet >= idle) {
        form.reset();
        window.location.replace(dialog.dataset.resetUrl);
      } else if (quiet >= idle - warning) {
        if (dialog.hidden) {
          returnFocus = document.activeElement;
          dialog.hidden = false;
          stillHere.focus();
        }
        countdown.textContent = String(Math.max(0, Math.ceil((idle - quiet) / 1000)));
      }
    }, 250);
  }

  // --- Status page: follow the visit --------------------------------------------------------
  function setUpStatus() {
    var region = document.getElementById("visit");
    if (!region || !window.fetch) return;
    var announce = document.getElementById("visit-announce");
    var seconds = Math.max(1, Number(region.dataset.seconds || 10));
    var timer = null;
    var baseTitle = document.title;

    function current() {
      var state = region.querySelector(".visit-state");
      return state ? { state: state.dataset.state, headline: state.dataset.headline } : {};
    }

    function showTitle(now) {
      document.title = now.state === "called" ? now.headline + " · " + baseTitle : baseTitle;
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(poll, seconds * 1000);
    }

    function poll() {
      fetch(region.dataset.url, {
        headers: { "If-None-Match": region.dataset.etag || "" },
        credentials: "same-origin",
        cache: "no-store"
      }).then(function (response) {
        if (response.status === 410) {
          window.location.reload();
          return null;
        }
        if (response.status !== 200) return null;
        var etag = response.headers.get("ETag");
        return response.text().then(function (html) {
          var before = current();
          region.innerHTML = html;
          if (etag) region.dataset.etag = etag;
          var after = current();
          if (after.headline && (after.state !== before.state || after.headline !== before.headline)) {
            announce.textContent = after.headline;
            if (after.state === "called" && navigator.vibrate) navigator.vibrate([300, 150, 300]);
          }
          showTitle(after);
        });
      }).catch(function () { /* offline for a moment: ask again later */ })
        .then(schedule);
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) poll();
    });
    showTitle(current());
    schedule();
  }

  // --- Kiosk: a patient's page clears itself ------------------------------------------------
  function setUpKioskReset() {
    var notice = document.getElementById("kiosk-reset");
    var finish = document.getElementById("finish-form");
    if (!notice || !finish) return;
    // A deadline, not a count of ticks: timers of a hidden or busy page fire late.
    var deadline = Date.now() + Number(notice.dataset.seconds) * 1000;
    var countdown = notice.querySelector("[data-countdown]");
    var done = false;
    setInterval(function () {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      if (countdown) countdown.textContent = String(left);
      if (left === 0 && !done) {
        done = true;
        finish.submit();
      }
    }, 250);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpForm();
    setUpKioskIdle();
    setUpStatus();
    setUpKioskReset();
  });
})();
