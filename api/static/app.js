// Small conveniences only: every page works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Facet checkboxes apply at once (the "apply" button is in <noscript>).
  for (const box of document.querySelectorAll("[data-autosubmit]")) {
    box.addEventListener("change", () => {
      const form = box.form;
      const page = form.querySelector("input[name=page]");
      if (page) page.remove();
      form.requestSubmit();
    });
  }
  // Destructive actions ask first.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (ev) => {
      if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
    });
  }
  // A review takes a few seconds: say so, and prevent a double upload.
  for (const form of document.querySelectorAll("form[data-busy]")) {
    form.addEventListener("submit", () => {
      const btn = form.querySelector("button[type=submit]");
      if (btn) {
        btn.disabled = true;
        btn.textContent = form.dataset.busy;
      }
      form.classList.add("busy");
    });
  }
  // Show the chosen file's name next to the picker.
  for (const input of document.querySelectorAll(".filepick input[type=file]")) {
    input.addEventListener("change", () => {
      const title = input.closest(".filepick").querySelector(".filepick-title");
      if (input.files.length) title.textContent = input.files[0].name;
    });
  }
});
