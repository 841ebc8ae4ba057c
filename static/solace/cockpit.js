// Cockpit polling, clocks and alerts. The server answers 204 (no swap) when the queue is
// unchanged: send back the ETag of what is on screen. Waiting times tick here, every minute,
// with no request. Unacknowledged alerts show in the tab title; a sound is a per-workstation
// choice (off unless ticked here).
(function () {
  var SOUND_KEY = "solace.alertSound";
  var baseTitle = document.title;
  var lastAlerts = null;
  var audio = null;

  function queue() { return document.getElementById("queue"); }

  document.addEventListener("htmx:configRequest", function (event) {
    var el = queue();
    if (el && event.detail.elt === el && el.dataset.etag) {
      event.detail.headers["If-None-Match"] = el.dataset.etag;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var el = queue();
    var xhr = event.detail.xhr;
    if (el && event.detail.elt === el && xhr && xhr.status === 200) {
      var etag = xhr.getResponseHeader("ETag");
      if (etag) el.dataset.etag = etag;
    }
  });

  document.addEventListener("htmx:afterSwap", function () { tick(); showAlerts(); });

  function tick() {
    var now = Date.now();
    document.querySelectorAll("tr[data-arrived]").forEach(function (row) {
      var minutes = Math.max(0, Math.floor((now - Date.parse(row.dataset.arrived)) / 60000));
      var cell = row.querySelector("[data-waited]");
      if (cell) cell.textContent = String(minutes);
      row.classList.toggle("overdue", minutes > Number(row.dataset.target));
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

  document.addEventListener("DOMContentLoaded", function () {
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
  });

  setInterval(tick, 60000);
})();
