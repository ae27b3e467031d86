/*
 * Cổng SIPAS — keyboard-first paper questionnaire entry (nhập phiếu giấy bằng bàn phím).
 *
 * Reads the questionnaire from the form's data-entry attribute (surveys.forms_entry.entry_data_json):
 * - the serial is typed or scanned (a scanner types it and presses Enter);
 * - agency and domain are typed by code: Enter completes a unique prefix from the lists offered;
 * - typing a valid option number moves to the next question; Tab / Enter also move on;
 *   several options are typed separated by a space or a comma, then Enter;
 * - a gated question is disabled (and cleared) while its condition is not met, so it skips itself;
 * - errors are shown inline, in Vietnamese and naming the question, before saving;
 * - Ctrl+Enter, or Enter on the last field, saves; the server checks everything again.
 * No inline script and no eval: the page runs under a strict Content-Security-Policy.
 */
(function () {
  "use strict";

  var form = document.getElementById("phieu-nhap");
  if (!form || !form.dataset.entry) {
    return;
  }
  var data = JSON.parse(form.dataset.entry);
  var questions = data.questions || [];
  var byCode = {};
  questions.forEach(function (q) { byCode[q.code] = q; });
  var META = ["ma_phieu", "ma_co_quan", "ma_linh_vuc", "kenh", "ngay_khao_sat"];
  var META_LABELS = {
    ma_phieu: "Mã phiếu", ma_co_quan: "Cơ quan", ma_linh_vuc: "Lĩnh vực",
    kenh: "Kênh thu thập", ngay_khao_sat: "Ngày khảo sát"
  };

  function field(name) {
    var el = form.elements.namedItem(name);
    return el && el.tagName ? el : null;
  }

  function fields() {
    var list = [];
    META.concat(questions.map(function (q) { return q.code; })).forEach(function (name) {
      var el = field(name);
      if (el && !el.disabled && !el.readOnly && el.type !== "hidden") {
        list.push(el);
      }
    });
    return list;
  }

  // ---------------------------------------------------------------- reading answers
  function optionRange(q) {
    var values = q.options.slice().sort(function (a, b) { return a - b; });
    if (!values.length) { return ""; }
    var consecutive = values[values.length - 1] - values[0] === values.length - 1;
    return consecutive ? values[0] + "–" + values[values.length - 1] : values.join(", ");
  }

  function parse(q, text) {
    text = (text || "").trim();
    if (!text || q.kind === "text") {
      return { value: text ? text : null, error: null };
    }
    if (q.kind === "multi") {
      var parts = text.split(/[\s,;]+/).filter(function (p) { return p !== ""; });
      var numbers = [];
      for (var i = 0; i < parts.length; i++) {
        if (!/^\d+$/.test(parts[i])) {
          return { value: null, error: "“" + text + "” không phải các số phương án cách nhau bởi dấu cách (ví dụ 1 3)" };
        }
        var n = parseInt(parts[i], 10);
        if (q.options.indexOf(n) < 0) {
          return { value: null, error: "không có phương án " + n + " (chỉ có " + optionRange(q) + ")" };
        }
        if (numbers.indexOf(n) < 0) { numbers.push(n); }
      }
      if (q.max && numbers.length > q.max) {
        return { value: null, error: "chọn tối đa " + q.max + " phương án, đã gõ " + numbers.length };
      }
      return { value: numbers, error: null };
    }
    if (!/^\d+$/.test(text)) {
      return { value: null, error: "“" + text + "” không phải là số phương án" };
    }
    var number = parseInt(text, 10);
    if (q.options.indexOf(number) < 0) {
      return { value: null, error: "không có phương án " + number + " (chỉ có " + optionRange(q) + ")" };
    }
    return { value: number, error: null };
  }

  function currentValue(code) {
    var el = field(code);
    if (!el || el.disabled) { return null; }
    return parse(byCode[code], el.value).value;
  }

  function applies(q) {
    if (!q.gate) { return true; }
    var gate = currentValue(q.gate);
    if (gate === null) { return false; }
    var chosen = Array.isArray(gate) ? gate : [gate];
    return chosen.some(function (v) { return q.gateValues.indexOf(v) >= 0; });
  }

  // A gated question follows its gate (in questionnaire order, so gates on gated questions work).
  function updateGates() {
    questions.forEach(function (q) {
      if (!q.gate) { return; }
      var el = field(q.code);
      if (!el) { return; }
      var on = applies(q);
      var row = el.closest("[data-question-row]");
      if (!on) {
        if (el.value) { el.value = ""; }
        clearError(el);
      }
      el.disabled = !on;
      el.setAttribute("aria-disabled", on ? "false" : "true");
      el.title = on ? "" : "Không áp dụng: chỉ trả lời khi " + q.gateText;
      if (row) { row.classList.toggle("entry-skipped", !on); }
    });
  }

  // ---------------------------------------------------------------- messages
  function errorBox(el) {
    var id = el.id + "_client_error";
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.className = "invalid-feedback d-block client-error";
      box.setAttribute("role", "alert");
      el.insertAdjacentElement("afterend", box);
    }
    return box;
  }

  function labelOf(el) {
    return byCode[el.name] ? "Câu " + el.name : (META_LABELS[el.name] || el.name);
  }

  function showError(el, message) {
    el.classList.add("is-invalid");
    errorBox(el).textContent = labelOf(el) + ": " + message;
    var described = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(el.id + "_client_error") < 0) {
      described.push(el.id + "_client_error");
      el.setAttribute("aria-describedby", described.join(" "));
    }
  }

  function clearError(el) {
    var box = document.getElementById(el.id + "_client_error");
    if (box) { box.remove(); }
    if (!document.getElementById(el.id + "_error")) { el.classList.remove("is-invalid"); }
  }

  // ---------------------------------------------------------------- agency, domain, quota
  function agencyCodes() {
    return Object.keys(data.agencyDomains || {});
  }

  function domainCodes() {
    var agency = (field("ma_co_quan") || {}).value || "";
    return (data.agencyDomains || {})[agency.trim().toUpperCase()] || [];
  }

  // The one code that the typed text is, or is the beginning of; null when none or several.
  function complete(text, codes) {
    text = (text || "").trim().toUpperCase();
    if (!text) { return null; }
    if (codes.indexOf(text) >= 0) { return text; }
    var matches = codes.filter(function (c) { return c.indexOf(text) === 0; });
    return matches.length === 1 ? matches[0] : null;
  }

  function optionName(listId, code) {
    var list = document.getElementById(listId);
    if (!list) { return ""; }
    var options = list.querySelectorAll("option");
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === code) { return options[i].textContent; }
    }
    return "";
  }

  function refreshDomainList() {
    var list = document.getElementById("ds-linh-vuc");
    if (!list) { return; }
    var allowed = domainCodes();
    if (!list.dataset.all) {
      list.dataset.all = JSON.stringify(Array.prototype.map.call(list.querySelectorAll("option"), function (o) {
        return [o.value, o.textContent];
      }));
    }
    var all = JSON.parse(list.dataset.all);
    list.textContent = "";
    all.forEach(function (pair) {
      if (!allowed.length || allowed.indexOf(pair[0]) >= 0) {
        var option = document.createElement("option");
        option.value = pair[0];
        option.textContent = pair[1];
        list.appendChild(option);
      }
    });
  }

  function showNames() {
    var agency = field("ma_co_quan");
    var domain = field("ma_linh_vuc");
    var agencyName = document.getElementById("ten-co-quan");
    var domainName = document.getElementById("ten-linh-vuc");
    if (agency && agencyName) { agencyName.textContent = optionName("ds-co-quan", agency.value.trim().toUpperCase()); }
    if (domain && domainName) { domainName.textContent = optionName("ds-linh-vuc", domain.value.trim().toUpperCase()); }
  }

  function quotaState() {
    var agency = ((field("ma_co_quan") || {}).value || "").trim().toUpperCase();
    var domain = ((field("ma_linh_vuc") || {}).value || "").trim().toUpperCase();
    var pair = (data.quotas || {})[agency + "/" + domain];
    return pair ? { agency: agency, domain: domain, received: pair[0], quota: pair[1] } : null;
  }

  function showQuota() {
    var box = document.getElementById("chi-tieu");
    if (!box) { return; }
    var state = quotaState();
    box.classList.remove("entry-quota-full");
    if (!state) {
      box.textContent = "";
      return;
    }
    var full = state.quota > 0 && state.received >= state.quota;
    box.textContent = "Đã nhận " + state.received + "/" + state.quota + " phiếu theo chỉ tiêu " +
      state.agency + " × " + state.domain + (full ? (data.enforceQuota ? " — đã đủ, đợt không nhận phiếu vượt chỉ tiêu" : " — đã đủ chỉ tiêu") : "");
    box.classList.toggle("entry-quota-full", full);
  }

  function checkMeta(el) {
    var value = (el.value || "").trim();
    if (el.name === "ma_phieu") {
      return value ? null : "hãy nhập mã phiếu (số in trên phiếu giấy)";
    }
    if (el.name === "ma_co_quan") {
      var agency = complete(value, agencyCodes());
      if (!value) { return "hãy gõ mã cơ quan được đánh giá"; }
      if (!agency) { return "không có cơ quan mã “" + value + "” trong các cơ quan bạn được giao nhập phiếu"; }
      el.value = agency;
      refreshDomainList();
      var domains = domainCodes();
      var domain = field("ma_linh_vuc");
      if (domain && domains.length === 1 && !domain.value) { domain.value = domains[0]; }
      return null;
    }
    if (el.name === "ma_linh_vuc") {
      var code = complete(value, domainCodes());
      if (!value) { return "hãy gõ mã lĩnh vực"; }
      if (!code) { return "cơ quan đã chọn không khảo sát lĩnh vực “" + value + "” trong đợt này"; }
      el.value = code;
      var state = quotaState();
      if (data.enforceQuota && state && state.received >= state.quota) {
        return "cơ quan " + state.agency + ", lĩnh vực " + state.domain + " đã đủ chỉ tiêu (" + state.received + "/" +
          state.quota + " phiếu); đợt không nhận phiếu vượt chỉ tiêu";
      }
      return null;
    }
    if (el.name === "ngay_khao_sat") {
      var digits = value.replace(/\D/g, "");
      if (/^\d{8}$/.test(value)) {  // 05102022 → 05/10/2022
        value = digits.slice(0, 2) + "/" + digits.slice(2, 4) + "/" + digits.slice(4);
        el.value = value;
      }
      var m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
      if (!value) { return "hãy nhập ngày khảo sát (dd/mm/yyyy)"; }
      var day = m ? new Date(+m[3], +m[2] - 1, +m[1]) : null;
      if (!m || day.getDate() !== +m[1] || day.getMonth() !== +m[2] - 1) {
        return "“" + value + "” không phải ngày dạng dd/mm/yyyy";
      }
      return null;
    }
    if (el.name === "kenh") {
      return value ? null : "hãy chọn kênh thu thập phiếu";
    }
    return null;
  }

  function check(el) {
    var q = byCode[el.name];
    var message = q ? parse(q, el.value).error : checkMeta(el);
    if (message) { showError(el, message); } else { clearError(el); }
    if (el.name === "ma_co_quan" || el.name === "ma_linh_vuc") {
      showNames();
      showQuota();
    }
    return message;
  }

  function checkAll() {
    updateGates();
    var problems = [];
    fields().forEach(function (el) {
      if (check(el)) { problems.push(el); }
    });
    // Methodology §4: at least one satisfaction answer on a criterion that applies to everyone.
    var criteria = questions.filter(function (q) { return q.criterion && !q.gate; });
    if (criteria.length && !criteria.some(function (q) { return currentValue(q.code) !== null; })) {
      var first = field(criteria[0].code);
      if (first) {
        showError(first, "phiếu không có câu trả lời nào về mức độ hài lòng (phần C) nên không hợp lệ");
        problems.push(first);
      }
    }
    return problems;
  }

  // ---------------------------------------------------------------- moving and saving
  function save() {
    var problems = checkAll();
    if (problems.length) {
      problems[0].focus();
      if (problems[0].select) { problems[0].select(); }
      return;
    }
    var button = form.querySelector("[data-save-default]");
    form.dataset.checked = "1";
    if (form.requestSubmit) { form.requestSubmit(button || undefined); } else { form.submit(); }
  }

  function isEmpty(el) {
    return !(el.value || "").trim();
  }

  function moveOn(el) {
    updateGates();
    var list = fields();
    var index = list.indexOf(el);
    var metaIndex = META.indexOf(el.name);
    if (metaIndex >= 0) {
      // From a detail of the form go to the next empty detail (a batch keeps agency, domain,
      // channel and date), else to the first question.
      for (var i = index + 1; i < list.length && META.indexOf(list[i].name) >= 0; i++) {
        if (isEmpty(list[i])) { focusField(list[i]); return; }
      }
      var firstQuestion = list.filter(function (f) { return META.indexOf(f.name) < 0; })[0];
      if (firstQuestion) { focusField(firstQuestion); return; }
    }
    if (index >= 0 && index + 1 < list.length) {
      focusField(list[index + 1]);
    } else {
      save();
    }
  }

  function focusField(el) {
    el.focus();
    if (el.select && el.tagName !== "SELECT") { el.select(); }
  }

  // A single-choice answer is complete once it is a valid option no longer option begins with.
  function complete_(q, text) {
    if (!/^\d+$/.test(text)) { return false; }
    var n = parseInt(text, 10);
    if (q.options.indexOf(n) < 0) { return false; }
    return !q.options.some(function (o) { return o !== n && String(o).indexOf(text) === 0; });
  }

  form.addEventListener("input", function (event) {
    var el = event.target;
    var q = byCode[el.name];
    if (!q) {
      if (el.name === "ma_co_quan" || el.name === "ma_linh_vuc") { clearError(el); }
      return;
    }
    var text = (el.value || "").trim();
    if (q.kind === "single" || q.kind === "scale") {
      if (complete_(q, text)) {
        clearError(el);
        moveOn(el);
      } else if (text && parse(q, text).error && !q.options.some(function (o) { return String(o).indexOf(text) === 0; })) {
        showError(el, parse(q, text).error);
        el.select();
      } else {
        clearError(el);
      }
    } else if (q.kind === "multi" && el.classList.contains("is-invalid")) {
      if (!parse(q, text).error) { clearError(el); }
    }
  });

  form.addEventListener("change", function (event) {
    var el = event.target;
    if (byCode[el.name]) { updateGates(); }
    if (el.name === "ma_co_quan" || el.name === "ma_linh_vuc") { check(el); }
  });

  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    var el = event.target;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      save();
      return;
    }
    if (!el.name || el.tagName === "BUTTON" || (el.tagName === "TEXTAREA" && event.shiftKey)) {
      return;  // a button's own Enter; Shift+Enter writes a new line in a comment
    }
    event.preventDefault();
    if (check(el)) {
      if (el.select) { el.select(); }
      return;
    }
    moveOn(el);
  });

  form.addEventListener("focusout", function (event) {
    var el = event.target;
    if (el.name && (byCode[el.name] || el.name === "ngay_khao_sat") && el.value) { check(el); }
    if (byCode[el.name]) { updateGates(); }
  });

  form.addEventListener("submit", function (event) {
    if (form.dataset.checked === "1") { return; }
    var problems = checkAll();
    if (problems.length) {
      event.preventDefault();
      problems[0].focus();
    }
  });

  // ---------------------------------------------------------------- start
  refreshDomainList();
  updateGates();
  showNames();
  showQuota();
  var start = form.querySelector("[autofocus]") || field("ma_phieu");
  if (start && !start.disabled) { focusField(start); }
})();
