// Live screens (queue, locked queue, waiting-room board): polling with back-off, honest
// freshness, clocks and alerts.
//
// The element #queue polls its fragment URL (htmx, on the "queue-poll" event this file fires).
// The server answers 204 (no swap) when nothing changed: send back the ETag of what is on
// screen. Every answered poll (200 or 204) is a success: "Last updated" shows its time. When
// polls fail for longer than two intervals a banner says the screen is not current, and the
// polls back off (doubling, up to a minute) until one succeeds. Waiting times and reassessment
// due times tick here, every 20 seconds, with no request. Unacknowledged alerts show in the tab
// title; a sound is a per-workstation choice (off unless ticked here).
(function () {
  var SOUND_KEY = "solace.alertSound";
  var MAX_BACKOFF_MS = 60000;
  var baseTitle = document.title;
  var lastAlerts = null;
  var audio = null;
  var lastSuccess = Date.now();
  var failures = 0;
  var timer = null;

  function poller() { return document.getElementById("queue"); }
  function interval() {
    var el = poller();
    return el ? Math.max(1, Number(el.dataset.pollSeconds || 5)) * 1000 : 5000;
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var el = poller();
      if (el && window.htmx) window.htmx.trigger(el, "queue-poll");
    }, delay);
  }

  function timeIn(zone, date) {
    try {
      return new Intl.DateTimeFormat("en-GB", {
        hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone: zone
      }).format(date);
    } catch (e) {
      return date.toTimeString().slice(0, 8);
    }
  }

  function stamp() {
    var el = document.getElementById("last-updated");
    if (el) el.textContent = timeIn(el.dataset.tz || undefined, new Date(lastSuccess));
  }

  function checkStale() {
    var banner = document.getElementById("stale");
    if (!banner) return;
    var stale = Date.now() - lastSuccess > 2 * interval();
    if (stale && banner.hidden) {
      var since = banner.querySelector("[data-stale-since]");
      var clock = document.getElementById("last-updated");
      if (since) since.textContent = timeIn(clock ? clock.dataset.tz : undefined, new Date(lastSuccess));
    }
    banner.hidden = !stale;
    document.body.classList.toggle("is-stale", stale);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var el = poller();
    if (el && event.detail.elt === el && el.dataset.etag) {
      event.detail.headers["If-None-Match"] = el.dataset.etag;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var el = poller();
    if (!el || event.detail.elt !== el) return;
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (status === 200 || status === 204) {
      var etag = xhr.getResponseHeader("ETag");
      if (status === 200 && etag) el.dataset.etag = etag;
      lastSuccess = Date.now();
      failures = 0;
      stamp();
      checkStale();
      schedule(interval());
    } else {
      failures += 1;
      checkStale();
      schedule(Math.min(interval() * Math.pow(2, failures), MAX_BACKOFF_MS));
    }
  });

  document.addEventListener("htmx:afterSwap", function () { tick(); showAlerts(); });

  // An action elsewhere on the page says what it saved (HX-Trigger "solace-saved").
  document.body.addEventListener("solace-saved", function (event) {
    var toast = document.getElementById("toast");
    if (!toast || !event.detail) return;
    toast.textContent = event.detail.message || "";
    toast.hidden = !toast.textContent;
  });

  function minutesFrom(iso, now) { return Math.floor((now - Date.parse(iso)) / 60000); }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("tr[data-arrived]").forEach(function (row) {
      var minutes = Math.max(0, minutesFrom(row.dataset.arrived, now));
      var cell = row.querySelector("[data-waited]");
      if (cell) cell.textContent = String(minutes);
      row.classList.toggle("overdue", minutes > Number(row.dataset.target));
      var due = row.querySelector("[data-reassess]");
      if (due && row.dataset.reassessDue) {
        var left = Math.floor((Date.parse(row.dataset.reassessDue) - now) / 60000);
        due.textContent = left > 0 ? "due in " + left + " min" : (left === 0 ? "due now" : "overdue by " + -left + " min");
        due.classList.toggle("late", left < 0);
      }
    });
    document.querySelectorAll("[data-since]").forEach(function (el) {
      el.textContent = String(Math.max(0, minutesFrom(el.dataset.since, now)));
    });
  }

  function showAlerts() {
    var state = document.getElementById("queue-state");
    if (!state) return;
    var count = Number(state.dataset.alerts || 0);
    document.title = count ? "(" + count + ") " + baseTitle : baseTitle;
    if (lastAlerts !== null && count > lastAlerts) beep();
    lastAlerts = count;
  }

  function soundOn() { return window.localStorage.getItem(SOUND_KEY) === "on"; }

  function beep() {
    if (!soundOn() || !audio) return;
    var tone = audio.createOscillator();
    var gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.25, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.6);
  }

  function start() {
    var toggle = document.getElementById("alert-sound");
    if (toggle) {
      toggle.checked = soundOn();
      toggle.addEventListener("change", function () {
        window.localStorage.setItem(SOUND_KEY, toggle.checked ? "on" : "off");
        // Browsers let a page play sound only after a gesture: this click is one.
        if (toggle.checked && !audio && window.AudioContext) audio = new AudioContext();
        if (audio) audio.resume();
      });
    }
    showAlerts();
    tick();
    if (poller()) schedule(interval());
    setInterval(tick, 20000);
    setInterval(checkStale, 1000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
