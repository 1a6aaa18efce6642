// Surveys: show a conditional question only when the earlier answer it depends on is given.
// The server applies the same rule (schema.is_shown), so answers to hidden questions are
// dropped there too; without JavaScript every question is shown.
(function () {
  "use strict";
  var form = document.querySelector("[data-survey-form]");
  if (!form) return;

  function chosen(questionId, choiceId) {
    var inputs = form.querySelectorAll('[name="q' + questionId + '"]');
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].checked && inputs[i].value === String(choiceId)) return true;
    }
    return false;
  }

  function isShown(fieldset) {
    var earlier = fieldset.dataset.showIfQuestion;
    if (!earlier) return true;
    var parent = form.querySelector('[data-question="' + earlier + '"]');
    if (parent && !isShown(parent)) return false;
    return chosen(earlier, fieldset.dataset.showIfChoice);
  }

  function update() {
    form.querySelectorAll("[data-show-if-question]").forEach(function (fieldset) {
      var shown = isShown(fieldset);
      fieldset.hidden = !shown;
      fieldset.disabled = !shown; // hidden answers are not sent
    });
  }

  form.addEventListener("change", update);
  update();
})();
