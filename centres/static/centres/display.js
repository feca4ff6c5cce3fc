/* The hall display refreshes itself: it polls its data address (data-source on the page's
   [data-hall] element) every few seconds and redraws the calls and the waiting counts.
   No inline script: the site's CSP forbids it. */
(function () {
  "use strict";
  var root = document.querySelector("[data-hall]");
  if (!root) { return; }
  var source = root.getAttribute("data-source");
  var every = parseInt(root.getAttribute("data-every") || "5", 10) * 1000;
  var calls = root.querySelector("[data-calls]");
  var windows = root.querySelector("[data-windows]");
  var total = root.querySelector("[data-waiting-total]");
  var callTemplate = root.getAttribute("data-call-template") || "{ticket} → {window}";
  var emptyText = root.getAttribute("data-empty") || "";
  var last = "";

  function cell(tag, text, cls) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (cls) { el.className = cls; }
    return el;
  }

  function draw(state) {
    calls.textContent = "";
    if (!state.calls.length) {
      calls.appendChild(cell("p", emptyText, "fs-3"));
    }
    state.calls.forEach(function (call, i) {
      var line = cell("p", "", "os-hall-call mb-2" + (i === 0 ? " display-4" : ""));
      line.setAttribute("data-testid", "hall-call");
      var parts = callTemplate.split(/(\{ticket\}|\{window\})/);
      parts.forEach(function (part) {
        if (part === "{ticket}") { line.appendChild(cell("span", call.ticket, "os-hall-ticket")); }
        else if (part === "{window}") { line.appendChild(cell("span", call.window, "os-hall-window")); }
        else if (part) { line.appendChild(document.createTextNode(part)); }
      });
      calls.appendChild(line);
    });
    windows.textContent = "";
    state.windows.forEach(function (w) {
      var row = document.createElement("tr");
      row.appendChild(cell("th", w.number + " " + w.name));
      row.appendChild(cell("td", w.status_label));
      row.appendChild(cell("td", String(w.waiting), "text-end"));
      windows.appendChild(row);
    });
    total.textContent = String(state.waiting_total);
    var newest = state.calls.length ? state.calls[0].ticket + state.calls[0].called_at : "";
    if (newest && newest !== last && last !== "") {
      root.classList.add("os-hall-flash");
      window.setTimeout(function () { root.classList.remove("os-hall-flash"); }, 1500);
    }
    last = newest;
  }

  function tick() {
    fetch(source, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) { draw(state); } })
      .catch(function () { /* the next tick tries again */ })
      .then(function () { window.setTimeout(tick, every); });
  }
  window.setTimeout(tick, every);
})();
