/* Comments: click-to-load video embeds and the proof of work for posting without an account.
 *
 * Videos: nothing is requested from YouTube or Vimeo until the visitor presses the button.
 * Proof of work: before a viewer without an account posts, the browser fetches a signed
 * challenge and finds a nonce so that SHA-256(challenge + ":" + nonce) starts with `bits`
 * zero bits (samskab/comments/pow.py checks the same on the server). No third party.
 */
(function () {
  "use strict";

  function loadVideo(box) {
    var frame = document.createElement("iframe");
    frame.src = box.getAttribute("data-embed-url");
    frame.title = box.getAttribute("data-title") || "";
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("loading", "lazy");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.className = "video-embed";
    box.replaceChildren(frame);
    frame.focus();
  }

  function zeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { bits += 8; continue; }
      var b = bytes[i];
      while ((b & 0x80) === 0) { bits += 1; b <<= 1; }
      return bits;
    }
    return bits;
  }

  async function solve(challenge, bits) {
    var encoder = new TextEncoder();
    for (var n = 0; ; n++) {
      var digest = await crypto.subtle.digest("SHA-256", encoder.encode(challenge + ":" + n));
      if (zeroBits(new Uint8Array(digest)) >= bits) { return String(n); }
    }
  }

  async function proveAndSubmit(form) {
    var status = form.querySelector(".comment-form-status");
    var button = form.querySelector("button[type=submit]");
    if (status) { status.textContent = form.getAttribute("data-pow-text") || "…"; }
    if (button) { button.disabled = true; }
    try {
      var response = await fetch(form.getAttribute("data-pow-url"), { credentials: "same-origin" });
      var data = await response.json();
      if (!response.ok) { throw new Error(data.error || response.statusText); }
      form.elements.challenge.value = data.challenge;
      form.elements.nonce.value = await solve(data.challenge, data.bits);
      form.submit();
    } catch (error) {
      if (status) { status.textContent = String(error.message || error); }
      if (button) { button.disabled = false; }
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".video-consent-load");
    if (button) { loadVideo(button.closest(".video-consent")); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-pow-url]")) { return; }
    if (form.elements.nonce && form.elements.nonce.value) { return; }
    if (!window.crypto || !crypto.subtle) { return; } // the server explains the refusal
    event.preventDefault();
    proveAndSubmit(form);
  });
})();
