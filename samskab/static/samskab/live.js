/* Samskab live updates: follow the channels a page names, apply their events.
 *
 * A page opts in with attributes ({% live_attrs "meeting:42" events="agenda" %}):
 *   <section data-live-channel="meeting:42" data-live-url="/live/meeting:42/"
 *            data-live-poll-url="/live/meeting:42/poll/" data-live-last-id="…"
 *            data-live-events="agenda speaker" data-live-text-lost="…" …>
 * Other modules handle event types:
 *   window.SamskabLive.on("agenda", function (data, event) { … });
 * and any event whose data has `html` and `target` is swapped into that element
 * (`swap`: innerHTML, outerHTML, beforeend, afterbegin, beforebegin, afterend);
 * data.announce is read out politely by screen readers.
 *
 * Server-sent events first; when the browser lacks EventSource, or the stream keeps
 * failing (a proxy in the way), it polls. Reconnections back off with jitter. The viewer
 * sees when the connection is lost. Strings come from the page, translated there.
 * No build step, no dependencies, ES5 so old browsers at least poll.
 */
(function () {
  "use strict";
  // Loaded once per page, though both the header and a page may ask for it.
  if (window.SamskabLive) { return; }

  var NATIVE_RETRIES = 2; // the browser's own quick reconnections (they keep Last-Event-ID)
  var FAILURES_BEFORE_POLLING = 5;
  var MAX_BACKOFF_MS = 30000;
  var POLLS_BEFORE_TRYING_SSE = 12;
  var RELOAD_GUARD_MS = 10000;

  var handlers = {};
  var subscriptions = {};
  var announcer = null;

  function on(type, fn) {
    (handlers[type] = handlers[type] || []).push(fn);
    for (var channel in subscriptions) {
      if (Object.prototype.hasOwnProperty.call(subscriptions, channel)) {
        subscriptions[channel].listen(type);
      }
    }
  }

  function off(type, fn) {
    var list = handlers[type] || [];
    for (var i = list.length - 1; i >= 0; i--) {
      if (list[i] === fn) { list.splice(i, 1); }
    }
  }

  /* Announcements: one polite live region for the page, visually hidden. */
  function announce(text) {
    if (!text) { return; }
    if (!announcer) {
      announcer = document.querySelector("[data-live-announcer]");
      if (!announcer) {
        announcer = document.createElement("div");
        announcer.setAttribute("data-live-announcer", "");
        announcer.setAttribute("aria-live", "polite");
        announcer.setAttribute("aria-atomic", "true");
        announcer.className = "sr-only";
        // Visually hidden through the CSSOM (allowed by the CSP, unlike style="").
        var style = announcer.style;
        style.position = "absolute";
        style.width = "1px";
        style.height = "1px";
        style.overflow = "hidden";
        style.clip = "rect(0 0 0 0)";
        style.whiteSpace = "nowrap";
        style.margin = "-1px";
        document.body.appendChild(announcer);
      }
    }
    // Emptied first so that the same words twice are read twice.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = String(text); }, 100);
  }

  var SWAPS = {
    innerHTML: function (el, html) { el.innerHTML = html; return el; },
    outerHTML: function (el, html) {
      var parent = el.parentNode;
      el.outerHTML = html;
      return parent;
    },
    beforeend: function (el, html) { el.insertAdjacentHTML("beforeend", html); return el; },
    afterbegin: function (el, html) { el.insertAdjacentHTML("afterbegin", html); return el; },
    beforebegin: function (el, html) {
      el.insertAdjacentHTML("beforebegin", html);
      return el.parentNode;
    },
    afterend: function (el, html) { el.insertAdjacentHTML("afterend", html); return el.parentNode; }
  };

  function swap(data) {
    var target = document.querySelector(data.target);
    var how = SWAPS[data.swap || "innerHTML"];
    if (!target || !how) { return; }
    var changed = how(target, String(data.html));
    if (changed && window.htmx && typeof window.htmx.process === "function") {
      window.htmx.process(changed);
    }
  }

  function Subscription(element) {
    this.elements = [element];
    this.channel = element.getAttribute("data-live-channel");
    this.url = element.getAttribute("data-live-url");
    this.pollUrl = element.getAttribute("data-live-poll-url");
    this.lastId = element.getAttribute("data-live-last-id") || "";
    this.types = {};
    this.wanted = ["message", "reload"];
    this.failures = 0;
    this.polls = 0;
    this.source = null;
    this.timer = null;
    this.polling = false;
    this.addTypes(element);
  }

  Subscription.prototype.addTypes = function (element) {
    var named = (element.getAttribute("data-live-events") || "").split(/\s+/);
    for (var i = 0; i < named.length; i++) {
      if (named[i]) { this.wanted.push(named[i]); }
    }
    for (var type in handlers) {
      if (Object.prototype.hasOwnProperty.call(handlers, type)) { this.wanted.push(type); }
    }
  };

  Subscription.prototype.text = function (name) {
    var attribute = "data-live-text-" + name;
    for (var i = 0; i < this.elements.length; i++) {
      var value = this.elements[i].getAttribute(attribute);
      if (value) { return value; }
    }
    return "";
  };

  /* The visible status: data-live-state on each element, words in its [data-live-status]. */
  Subscription.prototype.show = function (state) {
    var words = { live: "live", lost: "lost", polling: "polling", refused: "refused" }[state];
    for (var i = 0; i < this.elements.length; i++) {
      var element = this.elements[i];
      element.setAttribute("data-live-state", state);
      // data-live-quiet: no words about the connection (a count in the header says nothing
      // worth announcing when it connects; the page's own live regions do).
      if (element.hasAttribute("data-live-quiet")) { continue; }
      var status = element.querySelector("[data-live-status]");
      if (!status) {
        status = document.createElement("p");
        status.setAttribute("data-live-status", "");
        status.setAttribute("role", "status");
        element.insertBefore(status, element.firstChild);
      }
      status.textContent = words ? this.text(words) : "";
    }
  };

  Subscription.prototype.start = function () {
    if (typeof window.EventSource === "undefined") {
      this.startPolling();
    } else {
      this.connect();
    }
  };

  Subscription.prototype.connect = function () {
    var self = this;
    this.polling = false;
    this.types = {};
    var url = this.url;
    if (this.lastId) {
      url += (url.indexOf("?") < 0 ? "?" : "&") + "lastEventId=" + encodeURIComponent(this.lastId);
    }
    var source = this.source = new window.EventSource(url);
    source.onopen = function () {
      self.failures = 0;
      self.show("live");
    };
    source.onerror = function () {
      if (self.source !== source) { return; }
      self.failures += 1;
      self.show("lost");
      // The browser retries by itself (sending Last-Event-ID) a couple of times; after
      // that, or when it gave up, we take over with growing, jittered delays.
      if (source.readyState === window.EventSource.CLOSED || self.failures > NATIVE_RETRIES) {
        source.close();
        self.source = null;
        if (self.failures >= FAILURES_BEFORE_POLLING) {
          self.startPolling();
        } else {
          self.later(function () { self.connect(); }, self.backoff());
        }
      }
    };
    for (var i = 0; i < this.wanted.length; i++) { this.listen(this.wanted[i]); }
  };

  Subscription.prototype.listen = function (type) {
    var self = this;
    if (this.wanted.indexOf(type) < 0) { this.wanted.push(type); }
    if (!this.source || this.types[type]) { return; }
    this.types[type] = true;
    this.source.addEventListener(type, function (message) {
      if (message.lastEventId) { self.lastId = message.lastEventId; }
      var data = null;
      try { data = JSON.parse(message.data); } catch (error) { data = message.data; }
      self.dispatch(type, data, message.lastEventId);
    });
  };

  Subscription.prototype.backoff = function () {
    var base = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, Math.max(0, this.failures - 1)));
    return base / 2 + Math.random() * base / 2;
  };

  Subscription.prototype.later = function (fn, delay) {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(fn, delay);
  };

  Subscription.prototype.startPolling = function () {
    this.polling = true;
    this.polls = 0;
    this.show("polling");
    this.poll();
  };

  Subscription.prototype.poll = function () {
    var self = this;
    var request = new XMLHttpRequest();
    var url = this.pollUrl + "?after=" + encodeURIComponent(this.lastId);
    request.open("GET", url);
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status === 403 || request.status === 404) {
        self.show("refused");
        return; // this page may not follow the channel: stop asking
      }
      var body = null;
      try { body = JSON.parse(request.responseText); } catch (error) { body = null; }
      if (request.status !== 200 || !body) {
        self.failures += 1;
        self.show("lost");
        self.later(function () { self.poll(); }, self.backoff());
        return;
      }
      self.failures = 0;
      self.show("polling");
      if (body.reload) {
        self.lastId = body.last_id || "";
        self.dispatch("reload", {}, self.lastId);
      }
      for (var i = 0; i < body.events.length; i++) {
        var event = body.events[i];
        self.lastId = event.id;
        self.dispatch(event.event, event.data, event.id);
      }
      if (!body.events.length && body.last_id) { self.lastId = body.last_id; }
      self.polls += 1;
      if (typeof window.EventSource !== "undefined" && self.polls >= POLLS_BEFORE_TRYING_SSE) {
        self.failures = FAILURES_BEFORE_POLLING - 1; // one more failure: back to polling
        self.connect();
        return;
      }
      self.later(function () { self.poll(); }, body.interval_ms || 5000);
    };
    request.onerror = function () {
      self.failures += 1;
      self.show("lost");
      self.later(function () { self.poll(); }, self.backoff());
    };
    request.send();
  };

  Subscription.prototype.dispatch = function (type, data, id) {
    var detail = { channel: this.channel, id: id, type: type, elements: this.elements };
    if (type === "reload") {
      // An element that shows only a count (the header's notifications) refreshes itself
      // at the next page; it never reloads the page the visitor is on.
      if (this.elements[0].hasAttribute("data-live-no-reload")) { return; }
      reload(handlers.reload, data, detail, this);
      return;
    }
    var list = handlers[type] || [];
    for (var i = 0; i < list.length; i++) {
      try { list[i](data, detail); } catch (error) { window.console && console.error(error); }
    }
    if (data && typeof data === "object") {
      if (data.html !== undefined && data.target) { swap(data); }
      if (data.announce) { announce(data.announce); }
    }
    for (var j = 0; j < this.elements.length; j++) {
      if (typeof window.CustomEvent === "function") {
        this.elements[j].dispatchEvent(new window.CustomEvent("samskab:live", { detail: {
          channel: this.channel, id: id, type: type, data: data } }));
      }
    }
  };

  /* The server could not replay what this page missed: the page fetches its state
   * again. A module that can refresh itself (a player that must not stop) registers a
   * "reload" handler; otherwise the page reloads, at most once per RELOAD_GUARD_MS. */
  function reload(list, data, detail, subscription) {
    if (list && list.length) {
      for (var i = 0; i < list.length; i++) { list[i](data, detail); }
      return;
    }
    var key = "samskab-live-reloaded";
    var last = 0;
    try { last = Number(window.sessionStorage.getItem(key)) || 0; } catch (error) { last = 0; }
    if (Date.now() - last < RELOAD_GUARD_MS) { return; }
    try { window.sessionStorage.setItem(key, String(Date.now())); } catch (error) { /* private mode */ }
    if (subscription.source) { subscription.source.close(); }
    window.location.reload();
  }

  function subscribe(element) {
    var channel = element.getAttribute("data-live-channel");
    if (!channel || !element.getAttribute("data-live-url")) { return null; }
    var existing = subscriptions[channel];
    if (existing) {
      // One stream per channel, however many elements follow it.
      if (existing.elements.indexOf(element) < 0) {
        existing.elements.push(element);
        existing.addTypes(element);
        for (var i = 0; i < existing.wanted.length; i++) { existing.listen(existing.wanted[i]); }
      }
      return existing;
    }
    var subscription = subscriptions[channel] = new Subscription(element);
    subscription.start();
    return subscription;
  }

  function start() {
    var elements = document.querySelectorAll("[data-live-channel]");
    for (var i = 0; i < elements.length; i++) { subscribe(elements[i]); }
  }

  window.SamskabLive = { on: on, off: off, subscribe: subscribe, announce: announce };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
