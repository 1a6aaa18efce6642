// Staff's project list: choose all shown, none, or all of one heading, and say how many
// are chosen. Without this script each row's checkbox is still ticked by hand.
(function () {
  "use strict";

  function start(form) {
    var bulk = form.querySelector("[data-choose-bulk]");
    var boxes = form.querySelectorAll("input[type=checkbox][name=project]");
    var count = form.querySelector("[data-choose-count]");
    if (!bulk || !boxes.length) {
      return;
    }

    function update() {
      var n = 0;
      boxes.forEach(function (box) {
        if (box.checked) {
          n += 1;
        }
      });
      var template = n === 1 ? count.getAttribute("data-template-one") : count.getAttribute("data-template-many");
      count.textContent = template.replace("{count}", String(n));
    }

    function set(predicate) {
      boxes.forEach(function (box) {
        box.checked = predicate(box);
      });
      update();
    }

    bulk.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) {
        return;
      }
      if (button.hasAttribute("data-choose-all")) {
        set(function () { return true; });
      } else if (button.hasAttribute("data-choose-none")) {
        set(function () { return false; });
      } else if (button.hasAttribute("data-choose-heading")) {
        var heading = button.getAttribute("data-choose-heading");
        set(function (box) { return box.checked || box.getAttribute("data-heading") === heading; });
      }
    });
    form.addEventListener("change", update);
    bulk.hidden = false;
    update();
  }

  document.querySelectorAll("form[data-choose]").forEach(start);
})();
