/* The live blog: new approved posts arrive through samskab.live (or polling without it).
 *
 * New top-level posts are not pushed into the list while someone reads it: they wait
 * behind an "N new posts" button, so focus and reading position never jump. Replies go
 * quietly under their post. Screen readers hear a short polite note, nothing more.
 */
(function () {
  "use strict";

  var POLL_MS = 5000;

  function init(section) {
    var list = section.querySelector(".liveblog-list");
    var reveal = section.querySelector(".liveblog-reveal");
    var status = section.querySelector(".liveblog-status");
    var lastId = parseInt(section.getAttribute("data-last-id"), 10) || 0;
    var waiting = [];

    function label(n) {
      var text = n === 1 ? section.getAttribute("data-text-one") : section.getAttribute("data-text-many");
      return (text || "%(n)s").replace("%(n)s", n);
    }

    function parse(html) {
      var template = document.createElement("template");
      template.innerHTML = html.trim();
      return template.content.firstElementChild;
    }

    function known(id) {
      return document.getElementById("comment-" + id) !== null ||
        waiting.some(function (item) { return item.id === "comment-" + id; });
    }

    function add(data) {
      lastId = Math.max(lastId, data.id);
      if (known(data.id)) { return; }
      var item = parse(data.html);
      if (!item) { return; }
      if (data.parent) {
        var parent = document.getElementById("comment-" + data.parent);
        if (parent) {
          var replies = parent.querySelector(".liveblog-replies, .comment-replies");
          if (!replies) {
            replies = document.createElement("ol");
            replies.className = "comment-replies";
            parent.appendChild(replies);
          }
          replies.appendChild(item);
          return;
        }
      }
      waiting.push(item);
      reveal.textContent = label(waiting.length);
      reveal.hidden = false;
      status.textContent = label(waiting.length);
    }

    function remove(data) {
      var item = document.getElementById("comment-" + data.id);
      if (item && !item.contains(document.activeElement)) { item.remove(); }
      waiting = waiting.filter(function (w) { return w.id !== "comment-" + data.id; });
    }

    reveal.addEventListener("click", function () {
      var empty = list.querySelector(".comments-empty");
      if (empty) { empty.remove(); }
      var first = null;
      while (waiting.length) {
        var item = waiting.pop(); // oldest last, so the newest ends on top
        list.insertBefore(item, list.firstChild);
        first = item;
      }
      reveal.hidden = true;
      status.textContent = "";
      // The visitor asked for them: take them to the newest, which is now first.
      var newest = list.firstElementChild;
      if (newest && first) {
        newest.setAttribute("tabindex", "-1");
        newest.focus();
      }
    });

    if (window.SamskabLive && typeof window.SamskabLive.on === "function") {
      window.SamskabLive.on("comment", function (data) { add(data); });
      window.SamskabLive.on("comment_removed", function (data) { remove(data); });
      return;
    }
    var url = section.getAttribute("data-since-url");
    window.setInterval(function () {
      if (document.hidden) { return; }
      fetch(url + "?after=" + lastId, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var template = document.createElement("template");
          template.innerHTML = html;
          Array.prototype.forEach.call(template.content.children, function (li) {
            var id = parseInt(li.getAttribute("data-comment-id"), 10);
            var parent = parseInt(li.getAttribute("data-parent-id"), 10) || null;
            add({ id: id, parent: parent, html: li.outerHTML });
          });
        })
        .catch(function () {});
    }, POLL_MS);
  }

  document.querySelectorAll(".liveblog").forEach(init);
})();
