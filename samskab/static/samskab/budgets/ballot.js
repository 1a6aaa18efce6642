// The ballot's running total, updated as projects are ticked. Without this script the
// "Calculate the total" button asks the server for the same figure.
(function () {
  "use strict";

  function money(amount) {
    // Danish grouping: 1.000.000
    return String(Math.round(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match;
    });
  }

  function start(form) {
    var amount = parseInt(form.getAttribute("data-amount"), 10);
    var output = form.querySelector("[data-ballot-total]");
    var boxes = form.querySelectorAll("input[type=checkbox][data-price]");
    if (!output || isNaN(amount)) {
      return;
    }
    var timer = null;
    // The total is shown as the boxes are ticked: the no-script button has nothing to add.
    var calculate = form.querySelector("[data-ballot-calculate]");
    if (calculate) {
      calculate.parentNode.removeChild(calculate);
    }

    var approval = form.getAttribute("data-style") === "approval";
    var limit = parseInt(form.getAttribute("data-limit"), 10);

    function show(text, over) {
      output.classList.toggle("budget-total-over", over);
      // A short pause lets a screen reader announce the last change once, not every tick.
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        output.textContent = text;
      }, 150);
    }

    function updateCount() {
      var count = 0;
      boxes.forEach(function (box) {
        if (box.checked) {
          count += 1;
        }
      });
      if (isNaN(limit)) {
        show(fill(output.getAttribute("data-text-unlimited"), { count: count }), false);
        return;
      }
      var over = count > limit;
      show(
        fill(output.getAttribute(over ? "data-text-over" : "data-text-ok"), {
          count: count,
          limit: limit,
          left: Math.max(limit - count, 0),
          over: Math.max(count - limit, 0),
        }),
        over
      );
    }

    function update() {
      if (approval) {
        updateCount();
        return;
      }
      var total = 0;
      boxes.forEach(function (box) {
        if (box.checked) {
          total += parseInt(box.getAttribute("data-price"), 10) || 0;
        }
      });
      var over = total > amount;
      var template = output.getAttribute(over ? "data-text-over" : "data-text-ok");
      var text = fill(template, {
        total: money(total),
        amount: money(amount),
        left: money(Math.max(amount - total, 0)),
        over: money(Math.max(total - amount, 0)),
      });
      show(text, over);
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", update);
    });
  }

  document.querySelectorAll("form[data-ballot]").forEach(start);
  var error = document.getElementById("ballot-error");
  if (error) {
    error.focus();
  }
})();
