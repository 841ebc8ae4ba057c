// The poster's "Print" button (a static file: the CSP forbids inline scripts).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("print-poster");
  if (button) button.addEventListener("click", function () { window.print(); });
});
