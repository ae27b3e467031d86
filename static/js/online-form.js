/*
 * Online questionnaire (/phieu/): shows a gated question only when its gate is open, as the
 * paper form's skip instructions say ("Chỉ trả lời khi B7 = 1"). A question that closes is
 * cleared, so an answer the respondent can no longer see is never sent (the server refuses a
 * gated-off answer anyway). Also stops a second submit while the first is on its way.
 * No inline code anywhere: the page's Content-Security-Policy forbids it.
 */
(function () {
  "use strict";

  var form = document.getElementById("phieu-truc-tuyen");
  if (!form) {
    return;
  }

  function chosenValues(code) {
    var values = [];
    var inputs = document.getElementsByName(code);
    for (var i = 0; i < inputs.length; i += 1) {
      if (inputs[i].checked) {
        values.push(inputs[i].value);
      }
    }
    return values;
  }

  function clear(fieldset) {
    var inputs = fieldset.querySelectorAll("input, textarea");
    for (var i = 0; i < inputs.length; i += 1) {
      if (inputs[i].type === "radio" || inputs[i].type === "checkbox") {
        inputs[i].checked = false;
      } else {
        inputs[i].value = "";
      }
    }
  }

  function update() {
    var gated = form.querySelectorAll("[data-gate]");
    for (var i = 0; i < gated.length; i += 1) {
      var fieldset = gated[i];
      var wanted = fieldset.getAttribute("data-gate-values").split(" ");
      var chosen = chosenValues(fieldset.getAttribute("data-gate"));
      var open = chosen.some(function (value) { return wanted.indexOf(value) !== -1; });
      if (!open && !fieldset.hidden) {
        clear(fieldset);
      }
      fieldset.hidden = !open;
    }
  }

  function limitChoices(event) {
    var input = event.target;
    if (input.type !== "checkbox" || !input.checked) {
      return;
    }
    var fieldset = input.closest("fieldset");
    var hint = fieldset && fieldset.getAttribute("data-max");
    if (!hint) {
      return;
    }
    if (chosenValues(input.name).length > parseInt(hint, 10)) {
      input.checked = false;
    }
  }

  form.addEventListener("change", function (event) {
    limitChoices(event);
    update();
  });

  var sending = false;
  form.addEventListener("submit", function (event) {
    if (sending) {
      event.preventDefault();
      return;
    }
    sending = true;
    var button = document.getElementById("gui-phieu");
    if (button) {
      button.disabled = true;
      button.textContent = "Đang gửi…";
    }
  });

  update();
  var errors = document.getElementById("loi-phieu");
  if (errors) {
    errors.focus();
  }
}());
