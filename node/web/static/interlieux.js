/* Interlieux widgets, the host site's side: one script, no build step, no dependency.
 *
 *   <iframe src="https://place.example/embed/agenda" data-interlieux …></iframe>
 *   <script src="https://place.example/static/interlieux.js" defer></script>
 * or
 *   <interlieux-agenda src="https://place.example/embed/agenda"></interlieux-agenda>
 *   (also <interlieux-residents>, <interlieux-needs>)
 *
 * A widget posts its height ({type: "interlieux:height", height}); a frame takes it only from
 * its own window and only from the origin of its own src, so no other frame or site can
 * resize it. The frame is as wide as where it is placed (width: 100%).
 */
(function () {
  "use strict";
  if (window.interlieuxWidgets) return; // the snippet pasted twice: one listener is enough
  window.interlieuxWidgets = true;

  var MIN_HEIGHT = 80;
  var MAX_HEIGHT = 20000; // a runaway widget cannot make the host page endless
  var FRAME_STYLE = "display:block;width:100%;height:400px;border:0";

  function originOf(url) {
    try {
      return new URL(url, document.baseURI).origin;
    } catch (e) {
      return null;
    }
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.type !== "interlieux:height" || typeof data.height !== "number") return;
    var frames = document.querySelectorAll("iframe[data-interlieux]");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow === event.source && originOf(frame.src) === event.origin) {
        var height = Math.min(Math.max(Math.ceil(data.height), MIN_HEIGHT), MAX_HEIGHT);
        frame.style.height = height + "px";
      }
    }
  });

  // A widget that loaded before this script told its height to no one: ask it again, only at
  // the origin of the frame's own src.
  function ask(frame) {
    var origin = originOf(frame.src);
    if (frame.contentWindow && origin && origin !== "null") {
      frame.contentWindow.postMessage({ type: "interlieux:ask" }, origin);
    }
  }
  function watch(frame) {
    frame.addEventListener("load", function () { ask(frame); });
    ask(frame);
  }
  function watchAll() {
    Array.prototype.forEach.call(document.querySelectorAll("iframe[data-interlieux]"), watch);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchAll);
  } else {
    watchAll();
  }

  if (!("customElements" in window)) return;

  function define(name) {
    if (customElements.get(name)) return;
    customElements.define(name, class extends HTMLElement {
      connectedCallback() {
        if (this.querySelector("iframe")) return;
        var src = this.getAttribute("src") || "";
        if (!/^https?:$/.test(new URL(src, document.baseURI).protocol)) return;
        var frame = document.createElement("iframe");
        frame.src = src;
        frame.title = this.getAttribute("title") || "Interlieux";
        frame.setAttribute("data-interlieux", "");
        frame.setAttribute("loading", "lazy");
        frame.style.cssText = FRAME_STYLE;
        this.style.display = "block";
        this.appendChild(frame);
        watch(frame);
      }
    });
  }
  ["interlieux-agenda", "interlieux-residents", "interlieux-needs"].forEach(define);
})();
