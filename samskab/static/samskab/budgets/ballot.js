// The ballot's running total, updated as projects are ticked or points given, and a ranking
// moved with its Up and Down buttons in the page. Without this script every button asks the
// server: "Calculate the total" for the same figure, and each ranking button for the moved list.
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

  function announcer(output) {
    var timer = null;
    return function (text, over) {
      output.classList.toggle("budget-total-over", over);
      // A short pause lets a screen reader announce the last change once, not every tick.
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        output.textContent = text;
      }, 150);
    };
  }

  function startPoints(form) {
    var total = parseInt(form.getAttribute("data-points"), 10);
    var output = form.querySelector("[data-ballot-total]");
    var inputs = form.querySelectorAll("input[data-points-input]");
    if (!output || isNaN(total)) {
      return;
    }
    var show = announcer(output);

    function update() {
      var given = 0;
      inputs.forEach(function (input) {
        var value = parseInt(input.value, 10);
        given += isNaN(value) || value < 0 ? 0 : value;
      });
      var over = given > total;
      show(
        fill(output.getAttribute(over ? "data-text-over" : "data-text-ok"), {
          given: given,
          total: total,
          left: Math.max(total - given, 0),
          over: Math.max(given - total, 0),
        }),
        over
      );
    }

    inputs.forEach(function (input) {
      input.addEventListener("input", update);
    });
    form.querySelectorAll("button[data-step]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("aria-controls"));
      if (!input) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var step = parseInt(button.getAttribute("data-step"), 10);
        var max = parseInt(input.getAttribute("max"), 10);
        var value = (parseInt(input.value, 10) || 0) + step;
        value = Math.max(0, isNaN(max) ? value : Math.min(max, value));
        input.value = String(value);
        update();
      });
    });
  }

  function startRanking(form) {
    var ranked = form.querySelector("[data-ranking]");
    var unranked = form.querySelector("[data-unranked]");
    var output = form.querySelector("[data-ballot-total]");
    var empty = form.querySelector("[data-ranking-empty]");
    var limit = parseInt(form.getAttribute("data-limit"), 10);
    if (!ranked || !unranked || !output) {
      return;
    }
    var show = announcer(output);
    var editable = !!form.querySelector("button[data-move]:not([disabled])");

    function refresh() {
      var lines = ranked.querySelectorAll("li");
      var full = !isNaN(limit) && lines.length >= limit;
      lines.forEach(function (line, index) {
        line.querySelector("input[name=rank]").disabled = false;
        line.querySelectorAll("button[data-move]").forEach(function (button) {
          var move = button.getAttribute("data-move");
          button.hidden = move === "add";
          button.disabled =
            !editable ||
            (move === "up" && index === 0) ||
            (move === "down" && index === lines.length - 1);
        });
      });
      unranked.querySelectorAll("li").forEach(function (line) {
        line.querySelector("input[name=rank]").disabled = true;
        line.querySelectorAll("button[data-move]").forEach(function (button) {
          var add = button.getAttribute("data-move") === "add";
          button.hidden = !add;
          button.disabled = !editable || full;
        });
      });
      if (empty) {
        empty.hidden = lines.length > 0;
      }
      return lines.length;
    }

    function focusIn(line, preferred) {
      var order = [preferred, "up", "down", "remove", "add"];
      for (var i = 0; i < order.length; i += 1) {
        var button = line.querySelector('button[data-move="' + order[i] + '"]');
        if (button && !button.hidden && !button.disabled) {
          button.focus();
          return;
        }
      }
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button || button.disabled) {
        return;
      }
      event.preventDefault();
      var line = button.closest("li");
      var move = button.getAttribute("data-move");
      var title = line.getAttribute("data-title");
      if (move === "up" && line.previousElementSibling) {
        ranked.insertBefore(line, line.previousElementSibling);
      } else if (move === "down" && line.nextElementSibling) {
        ranked.insertBefore(line.nextElementSibling, line);
      } else if (move === "remove") {
        unranked.appendChild(line);
      } else if (move === "add") {
        ranked.appendChild(line);
      }
      var count = refresh();
      var place = Array.prototype.indexOf.call(ranked.children, line) + 1;
      var template =
        move === "remove" ? "data-text-removed" : move === "add" ? "data-text-added" : "data-text-moved";
      show(fill(form.getAttribute(template), { title: title, place: place, count: count }), false);
      focusIn(line, move);
    });
    refresh();
  }

  function start(form) {
    var style = form.getAttribute("data-style");
    if (style === "cumulative") {
      startPoints(form);
      return;
    }
    if (style === "ranked") {
      startRanking(form);
      return;
    }
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
