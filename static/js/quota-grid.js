/*
 * Lưới chỉ tiêu (templates/setup/quota_grid.html): keeps the totals beside the inputs in step
 * while a person types, and moves between inputs with Enter and the arrow keys. The server
 * computes the same totals on every page load and checks every value again on save; this file
 * only spares a round trip. No inline script: the page's CSP forbids it.
 */
(function () {
  "use strict";
  var grid = document.getElementById("quota-grid");
  if (!grid) { return; }
  var inputs = Array.prototype.slice.call(grid.querySelectorAll("input.quota-input"));
  var format = new Intl.NumberFormat("vi-VN");

  // Same reading as surveys.round_services.parse_quota: blank = 0, "1.200" / "1 200" = 1200.
  function parse(text) {
    var t = String(text).replace(/[\s.\u00a0]/g, "");
    if (t === "") { return 0; }
    return /^\d+$/.test(t) ? parseInt(t, 10) : null;
  }

  function setAll(selector, value) {
    var cells = document.querySelectorAll(selector);
    for (var i = 0; i < cells.length; i++) { cells[i].textContent = format.format(value); }
  }

  function recompute() {
    var agency = {}, domainSum = {}, hasDomain = {}, level = {}, levelDomain = {};
    var grand = 0, grandDomain = 0;
    inputs.forEach(function (input) {
      var value = parse(input.value);
      input.classList.toggle("is-invalid", value === null);
      if (value === null) { value = 0; }
      var a = input.dataset.agency, l = input.dataset.level;
      if (input.dataset.kind === "agency") {
        agency[a] = value;
        level[l] = (level[l] || 0) + value;
        grand += value;
      } else {
        domainSum[a] = (domainSum[a] || 0) + value;
        hasDomain[a] = true;
        levelDomain[l] = (levelDomain[l] || 0) + value;
        grandDomain += value;
      }
    });
    Object.keys(domainSum).forEach(function (a) {
      setAll('[data-domain-sum="' + a + '"]', domainSum[a]);
      var mismatch = hasDomain[a] && domainSum[a] !== agency[a];
      var badge = document.querySelector('[data-mismatch="' + a + '"]');
      if (badge) { badge.classList.toggle("d-none", !mismatch); }
      var row = document.querySelector('[data-row-agency="' + a + '"]');
      if (row) { row.classList.toggle("table-warning", !!mismatch); }
    });
    Object.keys(level).forEach(function (l) { setAll('[data-level-total="' + l + '"]', level[l]); });
    Object.keys(levelDomain).forEach(function (l) { setAll('[data-level-domain-total="' + l + '"]', levelDomain[l]); });
    setAll("[data-grand-total]", grand);
    setAll("[data-grand-domain-total]", grandDomain);
  }

  function move(from, step) {
    var index = inputs.indexOf(from) + step;
    if (index >= 0 && index < inputs.length) {
      inputs[index].focus();
      inputs[index].select();
    }
  }

  grid.addEventListener("input", function (event) {
    if (event.target.classList.contains("quota-input")) { recompute(); }
  });
  grid.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("quota-input")) { return; }
    if (event.key === "Enter" || event.key === "ArrowDown") {
      event.preventDefault();  // Enter moves on; the save button submits
      move(input, 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(input, -1);
    }
  });
  grid.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("quota-input")) { event.target.select(); }
  });
  recompute();
}());
