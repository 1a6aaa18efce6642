// Comment on a selected passage of the draft (mouse or touch): the selection's offsets in
// its paragraph's text go to the comment page. The keyboard's way is the link under each
// paragraph. Counts after passages (data-skip) are not part of the text.
(function () {
  "use strict";
  var root = document.getElementById("draft-text");
  var button = document.getElementById("draft-selection-button");
  var help = document.getElementById("draft-selection-help");
  if (!root || !button || !root.dataset.commentUrl) return;

  function paragraphOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el ? el.closest("[data-anchor]") : null;
  }

  function offsetIn(paragraph, node, offset) {
    var total = 0;
    var walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        var p = n.parentElement;
        if (p && (p.closest("[data-skip]") || p.closest("[aria-hidden='true']"))) return NodeFilter.FILTER_REJECT;
        return NodeFilter.FILTER_ACCEPT;
      },
    });
    var n;
    while ((n = walker.nextNode())) {
      if (n === node) return total + offset;
      total += n.textContent.length;
    }
    if (node === paragraph) return offset === 0 ? 0 : total;
    return null;
  }

  function hide() {
    button.hidden = true;
  }

  function update() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return hide();
    var range = selection.getRangeAt(0);
    var first = paragraphOf(range.startContainer);
    var last = paragraphOf(range.endContainer);
    if (!first || !root.contains(first)) return hide();
    if (first !== last) {
      help.textContent = button.dataset.within || "";
      return hide();
    }
    var start = offsetIn(first, range.startContainer, range.startOffset);
    var end = offsetIn(first, range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return hide();
    var url = new URL(root.dataset.commentUrl, window.location.href);
    url.searchParams.set("anchor", first.dataset.anchor);
    url.searchParams.set("start", String(start));
    url.searchParams.set("end", String(end));
    button.href = url.pathname + url.search;
    button.hidden = false;
  }

  document.addEventListener("selectionchange", function () {
    window.clearTimeout(update.timer);
    update.timer = window.setTimeout(update, 150);
  });
})();
