/*
 * Cổng SIPAS — "computed at / pending" badge that refreshes itself.
 *
 * Every element with data-status-url (templates/surveys/_computed_status.html) polls that
 * JSON endpoint (indexes.dashboard_views.computed_status): every 5 s while a recomputation
 * is pending, every 60 s otherwise. When newer results have been stored (a higher
 * computed_version than the page was drawn from) it offers a reload
 * link rather than reloading by itself (a page on a projector must not jump under a speaker).
 * No inline script: the Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  var FAST_MS = 5000;
  var SLOW_MS = 60000;

  function setup(element) {
    var url = element.getAttribute("data-status-url");
    var shownVersion = element.getAttribute("data-computed-version") || "";
    var text = element.querySelector("[data-status-text]");
    var pending = element.querySelector("[data-status-pending]");
    var reload = element.querySelector("[data-status-reload]");
    var timer = null;

    function schedule(isPending) {
      window.clearTimeout(timer);
      timer = window.setTimeout(poll, isPending ? FAST_MS : SLOW_MS);
    }

    function show(status) {
      if (pending) {
        if (status.pending && !pending.textContent) {
          // Drawn empty when the page was current: the label comes with the first pending poll.
          var spinner = document.createElement("span");
          spinner.className = "spinner-grow spinner-grow-sm me-1 status-spinner";
          spinner.setAttribute("aria-hidden", "true");
          pending.appendChild(spinner);
          pending.appendChild(document.createTextNode("Đang chờ tính lại"));
        }
        pending.classList.toggle("d-none", !status.pending);
        if (status.pending_text) {
          pending.setAttribute("title", status.pending_text);
        }
      }
      if (text && status.text) {
        text.textContent = status.text;
      }
      if (reload && String(status.computed_version) !== shownVersion) {
        reload.classList.remove("d-none");
      }
      element.setAttribute("data-pending", status.pending ? "1" : "0");
    }

    function poll() {
      if (document.hidden) {
        schedule(false);
        return;
      }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (status) {
          show(status);
          schedule(status.pending);
        })
        .catch(function () {
          schedule(false);
        });
    }

    if (reload) {
      reload.addEventListener("click", function (event) {
        event.preventDefault();
        window.location.reload();
      });
    }
    schedule(pending && !pending.classList.contains("d-none"));
  }

  function start() {
    var elements = document.querySelectorAll("[data-status-url]");
    for (var i = 0; i < elements.length; i += 1) {
      setup(elements[i]);
    }
    var printers = document.querySelectorAll("[data-print-page]");
    for (var j = 0; j < printers.length; j += 1) {
      printers[j].addEventListener("click", function (event) {
        event.preventDefault();
        window.print();
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
