// Cockpit polling and clocks. The server answers 204 (no swap) when the queue is unchanged:
// send back the ETag of what is on screen. Waiting times tick here, every minute, with no request.
(function () {
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

  document.addEventListener("htmx:afterSwap", function () { tick(); });

  function tick() {
    var now = Date.now();
    document.querySelectorAll("tr[data-arrived]").forEach(function (row) {
      var minutes = Math.max(0, Math.floor((now - Date.parse(row.dataset.arrived)) / 60000));
      var cell = row.querySelector("[data-waited]");
      if (cell) cell.textContent = String(minutes);
      row.classList.toggle("overdue", minutes > Number(row.dataset.target));
    });
  }

  setInterval(tick, 60000);
})();
