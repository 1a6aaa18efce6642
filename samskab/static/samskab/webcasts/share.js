/* "Share from here": a link to the meeting at a moment (?t=seconds) and share targets.
   Without this script the panel still opens (<details>) with the links for the page's own
   moment; the script picks the moment (where the current speaker begins, or the video's
   current time), copies the link, and remembers the viewer's Mastodon server. */
(function () {
  "use strict";

  var MASTODON_KEY = "samskab.mastodon";
  var HOST_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?$/;

  function say(status, text) {
    if (!status) {
      return;
    }
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  /* Copy a field's text: the Clipboard API where the page may use it, else the old way.
     The messages come from the page (data-copied on the status, data-copy-manual on the field). */
  function copy(field, status) {
    var copied = status ? status.getAttribute("data-copied") : "";
    var manual = field.getAttribute("data-copy-manual");
    var fallback = function () {
      field.focus();
      field.select();
      var done = false;
      try {
        done = document.execCommand("copy");
      } catch (error) {
        done = false;
      }
      say(status, done ? copied : manual);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { say(status, copied); }, fallback);
    } else {
      fallback();
    }
  }
  window.SamskabCopy = copy;

  var share = document.querySelector("[data-share]");
  var root = document.querySelector("[data-player]");
  if (!share || !root) {
    return;
  }
  var urlField = share.querySelector("[data-share-url]");
  var status = share.querySelector("[data-share-status]");
  var copyButton = share.querySelector("[data-share-copy]");
  var momentBox = share.querySelector("[data-share-moment]");
  var mastodon = share.querySelector("[data-share-mastodon]");
  var video = root.querySelector("video");
  var base = root.getAttribute("data-share-base");

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function currentSpeaker() {
    var speaker = root.querySelector("[data-now-speaker]");
    var strong = speaker ? speaker.querySelector("strong") : null;
    if (!strong) {
      return null;
    }
    var turn = root.querySelector(".speaker-turn.is-current");
    var party = turn ? turn.getAttribute("data-party") : "";
    var start = speaker.getAttribute("data-start");
    if (!start && turn) {
      start = turn.getAttribute("data-start");
    }
    return {
      name: strong.textContent + (party ? " (" + party + ")" : ""),
      start: start ? parseInt(start, 10) : null
    };
  }

  function currentItem() {
    var item = root.querySelector(".agenda-item.is-current");
    if (!item) {
      return null;
    }
    return { label: item.getAttribute("data-number") + ". " + item.getAttribute("data-title"), title: item.getAttribute("data-title") };
  }

  function chosenSeconds(speaker) {
    var choice = share.querySelector('input[name="share-from"]:checked');
    var fromNow = choice && choice.value === "now";
    if (!fromNow && speaker && speaker.start !== null) {
      return Math.floor(speaker.start / 1000);
    }
    if (video && !isNaN(video.currentTime)) {
      return Math.floor(video.currentTime);
    }
    return null;
  }

  function update() {
    var speaker = currentSpeaker();
    var item = currentItem();
    var seconds = chosenSeconds(speaker);
    var url = base + (seconds ? "?t=" + seconds : "");
    var meeting = share.getAttribute("data-meeting-title");
    var text;
    if (speaker && item) {
      text = fill(share.getAttribute("data-text-speaker-item"), { name: speaker.name, item: item.title, meeting: meeting });
    } else if (speaker) {
      text = fill(share.getAttribute("data-text-speaker"), { name: speaker.name, meeting: meeting });
    } else if (item) {
      text = fill(share.getAttribute("data-text-item"), { item: item.label, meeting: meeting });
    } else {
      text = meeting;
    }
    urlField.value = url;
    urlField.setAttribute("data-share-text", text);
    var encoded = { url: encodeURIComponent(url), text: encodeURIComponent(text) };
    Array.prototype.forEach.call(share.querySelectorAll("[data-share-target]"), function (link) {
      link.href = fill(link.getAttribute("data-share-target"), encoded);
    });
    if (momentBox) {
      var speakerChoice = momentBox.querySelector('input[value="speaker"]');
      speakerChoice.disabled = !(speaker && speaker.start !== null);
      if (speakerChoice.disabled && speakerChoice.checked) {
        momentBox.querySelector('input[value="now"]').checked = true;
      }
    }
    return { url: url, text: text };
  }

  if (video) {
    momentBox.hidden = false;
    momentBox.addEventListener("change", update);
  }
  copyButton.hidden = false;
  copyButton.addEventListener("click", function () {
    update();
    copy(urlField, status);
  });
  share.addEventListener("toggle", function () {
    if (share.open) {
      update();
    }
  });
  document.addEventListener("samskab:speaker", function () {
    if (share.open) {
      update();
    }
  });

  if (mastodon) {
    var instanceField = mastodon.querySelector("[data-mastodon-instance]");
    var mastodonStatus = mastodon.querySelector("[data-mastodon-status]");
    try {
      instanceField.value = window.localStorage.getItem(MASTODON_KEY) || "";
    } catch (error) { /* storage blocked */ }
    mastodon.hidden = false;
    mastodon.addEventListener("submit", function (event) {
      event.preventDefault();
      // "mastodon.social", "https://mastodon.social/@anna" and "@anna@mastodon.social"
      // all mean the server mastodon.social: drop the scheme, then a path, then a handle.
      var host = instanceField.value.trim().toLowerCase()
        .replace(/^https?:\/\//, "").replace(/\/.*$/, "").replace(/^.*@/, "");
      if (!HOST_RE.test(host)) {
        instanceField.setAttribute("aria-invalid", "true");
        say(mastodonStatus, mastodon.getAttribute("data-text-bad-host"));
        instanceField.focus();
        return;
      }
      instanceField.removeAttribute("aria-invalid");
      instanceField.value = host;
      try {
        window.localStorage.setItem(MASTODON_KEY, host);
      } catch (error) { /* not remembered */ }
      var shared = update();
      var target = fill(mastodon.getAttribute("data-template"), {
        instance: host,
        text: encodeURIComponent(shared.text),
        url: encodeURIComponent(shared.url)
      });
      window.open(target, "_blank", "noopener,noreferrer");
    });
  }
})();
