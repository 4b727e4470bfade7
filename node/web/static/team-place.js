// The place's details (/equipe/lieu): a button that adds a service row, and the week's grid
// kept coherent (a time typed unticks the day's « fermé »; ticking « fermé » clears its times).
// Without JavaScript the form has empty rows to fill, and the node says what to correct.
"use strict";
(() => {
  const rows = document.querySelector("[data-rows]");
  const add = document.querySelector("[data-add-row]");
  if (rows && add) {
    add.hidden = false;
    add.addEventListener("click", () => {
      const last = rows.lastElementChild;
      const found = last && /^offer-(\d+)-/.exec(last.querySelector("[id]").id);
      if (!found) return;
      const number = Number(found[1]) + 1;
      const renamed = (text) => text.replace(/^offer-\d+-/, `offer-${number}-`);
      const fresh = last.cloneNode(true);
      fresh.querySelectorAll("[id]").forEach((field) => { field.id = renamed(field.id); });
      fresh.querySelectorAll("[name]").forEach((field) => { field.name = renamed(field.name); });
      fresh.querySelectorAll("label[for]").forEach((label) => {
        label.htmlFor = renamed(label.htmlFor);
      });
      fresh.querySelectorAll("input").forEach((field) => { field.value = ""; });
      fresh.querySelectorAll("select").forEach((field) => { field.selectedIndex = 0; });
      fresh.querySelectorAll("[aria-invalid]").forEach((field) => {
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
      });
      const legend = fresh.querySelector("legend");
      legend.textContent = legend.textContent.replace(/\d+\s*$/, String(number));
      rows.appendChild(fresh);
      fresh.querySelector("select, input").focus();
    });
  }
  document.querySelectorAll("[data-day]").forEach((day) => {
    const closed = day.querySelector("input[type=checkbox]");
    const times = day.querySelectorAll("input[type=time]");
    times.forEach((time) => time.addEventListener("input", () => {
      if (time.value) closed.checked = false;
    }));
    closed.addEventListener("change", () => {
      if (closed.checked) times.forEach((time) => { time.value = ""; });
    });
  });
})();
