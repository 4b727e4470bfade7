// Work in progress (/equipe/travaux): the figures brought up to date every few seconds, in
// place, until the person pauses it (WCAG 2.2.1: an update they can stop). Without script the
// page offers a reload link, and a self-refreshing version they choose.
(function () {
  var body = document.querySelector("[data-refresh]");
  var toggle = document.querySelector("[data-refresh-toggle]");
  if (!body || !toggle || !window.fetch || !window.DOMParser) return;
  var seconds = Number(body.getAttribute("data-refresh")) || 10;
  var paused = false;
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    paused = !paused;
    toggle.setAttribute("aria-pressed", String(paused));
  });
  setInterval(function () {
    if (paused || document.hidden) return;
    fetch(location.pathname, { headers: { accept: "text/html" }, credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-refresh]");
        if (fresh) body.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* the next turn tries again */ });
  }, seconds * 1000);
})();
