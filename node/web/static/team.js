// The team's pages: a "copy" button beside a link or a badge's text, and a "print" button for
// the badge card. Without JavaScript the text stays selectable and the browser prints the page.
"use strict";
document.querySelectorAll("[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector("[data-copy-status]");
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.value);
      if (status) status.textContent = button.dataset.copied || "";
    } catch (refused) {
      source.select();  // the browser refused: the text is selected, to copy by hand
    }
  });
});
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
