/* The live blog: new approved posts arrive through samskab.live (or polling without it).
 *
 * The player page carries only the section; its posts and form are fetched from
 * data-body-url (without JavaScript the section links to the full thread instead).
 * New top-level posts are not pushed into the list while someone reads it: they wait
 * behind an "N new posts" button, so focus and reading position never jump. Replies go
 * quietly under their post. Screen readers hear a short polite note, nothing more.
 */
(function () {
  "use strict";

  var POLL_MS = 5000;

  function init(section) {
    var body = section.querySelector("[data-liveblog-body]");
    var list = null;
    var reveal = null;
    var status = null;
    var lastId = 0;
    var waiting = [];
    var early = []; // events that arrived while the body was loading

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
      if (!list) { early.push(["add", data]); return; }
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
            replies.className = "comment-replies no-max-width";
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
      if (!list) { early.push(["remove", data]); return; }
      var item = document.getElementById("comment-" + data.id);
      if (item && !item.contains(document.activeElement)) { item.remove(); }
      waiting = waiting.filter(function (w) { return w.id !== "comment-" + data.id; });
      if (!waiting.length) { reveal.hidden = true; status.textContent = ""; }
      else { reveal.textContent = label(waiting.length); }
    }

    function showWaiting() {
      var empty = list.querySelector(".comments-empty");
      if (empty) { empty.remove(); }
      var first = null;
      while (waiting.length) {
        var item = waiting.shift(); // oldest first, each on top: the newest ends first
        list.insertBefore(item, list.firstChild);
        first = item;
      }
      reveal.hidden = true;
      status.textContent = "";
      // The visitor asked for them: take them to the newest, which is now first.
      if (first) {
        first.setAttribute("tabindex", "-1");
        first.focus();
      }
    }

    function poll() {
      var url = section.getAttribute("data-since-url");
      if (!url) { return; } // a recorded meeting: nothing arrives live
      window.setInterval(function () {
        if (document.hidden || !list) { return; }
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

    if (window.SamskabLive && typeof window.SamskabLive.on === "function" &&
        section.hasAttribute("data-live-channel")) {
      window.SamskabLive.on("comment", function (data) { add(data); });
      window.SamskabLive.on("comment_removed", function (data) { remove(data); });
    } else {
      poll();
    }

    fetch(section.getAttribute("data-body-url"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
      .then(function (html) {
        var fresh = parse(html);
        if (!fresh) { throw new Error("empty"); }
        body.replaceChildren(fresh);
        list = fresh.querySelector(".liveblog-list");
        reveal = fresh.querySelector(".liveblog-reveal");
        status = fresh.querySelector(".liveblog-status");
        lastId = parseInt(fresh.getAttribute("data-last-id"), 10) || 0;
        reveal.addEventListener("click", showWaiting);
        var pending = early;
        early = [];
        pending.forEach(function (entry) { (entry[0] === "add" ? add : remove)(entry[1]); });
      })
      .catch(function () {
        var note = document.createElement("p");
        note.setAttribute("role", "status");
        note.textContent = section.getAttribute("data-text-failed") || "";
        body.appendChild(note);
      });
  }

  // After every deferred script has run: the page loads live.js after this file, and the
  // live blog should ride on its connection instead of polling.
  function start() { document.querySelectorAll(".liveblog[data-body-url]").forEach(init); }
  if (document.readyState === "complete") { start(); } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
