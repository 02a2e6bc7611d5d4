/* Live figures on a page that has [data-progress-url]: ask for them every few seconds and
   write them into [data-figure] cells and the status line, until the work is finished.
   Without this script the page shows the same figures on every reload. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var every = 1000 * (parseInt(box.getAttribute("data-poll"), 10) || 2);
  var state = document.getElementById("announcement-state");

  function show(figures) {
    var cells = box.querySelectorAll("[data-figure]");
    for (var i = 0; i < cells.length; i++) {
      var name = cells[i].getAttribute("data-figure");
      if (Object.prototype.hasOwnProperty.call(figures, name)) {
        cells[i].textContent = String(figures[name]);
      }
    }
    if (state && figures.status_text) { state.textContent = figures.status_text; }
    var waiting = document.querySelectorAll("[data-while-status]");
    for (var j = 0; j < waiting.length; j++) {  // e.g. Cancel, once sending has begun
      waiting[j].hidden = waiting[j].getAttribute("data-while-status") !== figures.status;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (figures) {
        show(figures);
        if (!figures.finished) { window.setTimeout(poll, every); }
      })
      .catch(function () { window.setTimeout(poll, every * 3); });
  }

  window.setTimeout(poll, every);
}());
