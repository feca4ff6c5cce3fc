/* Yunfu One-Stop: small progressive enhancements. Every feature also works without JavaScript. */
(function () {
  "use strict";

  var COOKIE = "onestop_large_text";
  var STORE = "onestop.largeText";
  var root = document.documentElement;

  function remember(on) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    if (on) {
      document.cookie = COOKIE + "=1; Max-Age=31536000; Path=/; SameSite=Lax" + secure;
    } else {
      document.cookie = COOKIE + "=; Max-Age=0; Path=/; SameSite=Lax" + secure;
    }
    try { localStorage.setItem(STORE, on ? "1" : "0"); } catch (e) { /* private mode */ }
  }

  function apply(on) {
    root.classList.toggle("large-text", on);
    document.querySelectorAll("[data-large-text-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      // The link sets the opposite mode (without JavaScript it is followed).
      var href = button.getAttribute("href");
      if (href) { button.setAttribute("href", href.replace(/large_text=[01]/, "large_text=" + (on ? "0" : "1"))); }
    });
  }

  // The server renders the class from the cookie; localStorage restores it if the cookie was lost.
  try {
    if (localStorage.getItem(STORE) === "1" && !root.classList.contains("large-text")) {
      apply(true);
      remember(true);
    }
  } catch (e) { /* ignore */ }

  // Large-text switch: toggle in place instead of the POST round trip.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-large-text-toggle]");
    if (!button) { return; }
    event.preventDefault();
    var on = !root.classList.contains("large-text");
    apply(on);
    remember(on);
  });
  // The switch is a link drawn as a toggle button (role="button"): Space toggles it too.
  document.addEventListener("keydown", function (event) {
    if (event.key !== " ") { return; }
    var button = event.target.closest && event.target.closest("[data-large-text-toggle]");
    if (!button) { return; }
    event.preventDefault();
    button.click();
  });

  // Filters fold away on phones so the results come first (they stay open without JavaScript,
  // and on wide screens; the summary counts the filters set).
  if (window.matchMedia("(max-width: 991.98px)").matches) {
    document.querySelectorAll("details[data-fold-on-phone]").forEach(function (d) {
      d.open = false;
    });
  }
  // On wide screens the filter panel is always open: its summary is only a heading there.
  document.querySelectorAll("details[data-fold-on-phone] > summary").forEach(function (summary) {
    summary.addEventListener("click", function (event) {
      if (window.matchMedia("(min-width: 992px)").matches) { event.preventDefault(); }
    });
  });

  // Auto-submitting filters (the submit button stays for keyboard and no-JS users).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.matches("select, input[type=radio], input[type=checkbox]")) {
        var page = form.querySelector("input[name=page]");
        if (page) { page.remove(); }
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
  });
})();
