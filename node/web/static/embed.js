/* Interlieux widgets, the place's side (no build step, no dependency).
 *
 * In a widget shown in another site's frame: tell the host page the widget's height, at load
 * and whenever it changes, so that interlieux.js there fits the frame to it. The message goes
 * to any origin ("*"): the widget cannot know which site frames it, and a height is no secret.
 *
 * On the /embed page: the "Copier" buttons (shown only when this script runs) copy their
 * snippet with the Clipboard API; where it is refused, the snippet is selected for Ctrl+C.
 */
(function () {
  "use strict";

  function tellHeight() {
    var last = -1;
    function tell(again) {
      var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (height !== last || again === true) {
        last = height;
        window.parent.postMessage({ type: "interlieux:height", height: height }, "*");
      }
    }
    if ("ResizeObserver" in window) {
      new ResizeObserver(tell).observe(document.documentElement);
    }
    window.addEventListener("load", tell);
    // The host's script may start after the first message (it loads deferred): it asks.
    window.addEventListener("message", function (event) {
      if (event.source === window.parent && event.data && event.data.type === "interlieux:ask") {
        tell(true);
      }
    });
    tell();
  }

  function copyButtons() {
    var buttons = document.querySelectorAll("button.copy[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var field = document.getElementById(button.getAttribute("data-copy"));
      var said = document.getElementById(button.getAttribute("data-copy") + "-said");
      if (!field) return;
      button.hidden = false;
      function say(text) { if (said) said.textContent = text; }
      function fallback() {
        field.focus();
        field.select();
        say(button.getAttribute("data-fallback"));
      }
      button.addEventListener("click", function () {
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () {
            say(button.getAttribute("data-done"));
          }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  function start() {
    if (window.parent !== window && document.body.classList.contains("widget")) tellHeight();
    copyButtons();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
