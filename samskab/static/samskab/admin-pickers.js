// The admin's pickers by name (autocomplete_fields, Select2) are named by what they show:
// with nothing chosen yet that is nothing, and a screen reader heard an unnamed combo box
// (axe: aria-input-field-name). Each picker is named by its field's label as well, and the
// text it shows inside is no longer a read-only text box of its own without a name: it is
// the combo box's value.
(function () {
  "use strict";

  function name(selection) {
    if (selection.dataset.samskabNamed) return;
    const container = selection.closest(".select2");
    const select = container && container.previousElementSibling;
    const label = select && select.id && document.querySelector(`label[for="${select.id}"]`);
    if (!label) return;
    if (!label.id) label.id = `${select.id}-label`;
    const shown = selection.getAttribute("aria-labelledby") || "";
    selection.setAttribute("aria-labelledby", `${label.id} ${shown}`.trim());
    selection.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach((shown) => {
      shown.removeAttribute("role");
      shown.removeAttribute("aria-readonly");
    });
    selection.dataset.samskabNamed = "1";
  }

  function nameAll(root) {
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(name);
  }

  // Select2 starts on jQuery's ready and again for each inline row added: name what is there
  // once the page has loaded, and whatever comes after.
  window.addEventListener("load", () => {
    nameAll(document);
    new MutationObserver(() => nameAll(document)).observe(document.body, {
      childList: true,
      subtree: true,
    });
  });
})();
