// Keyboard answering: 1-9 pick an option, L/M/H set certainty, Enter checks or goes to the next item.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-keys]");
  const next = document.querySelector("[data-hotkey='Enter']");
  const firstError = document.querySelector(".has-error input, .has-error textarea");
  if (firstError) {
    firstError.focus();  // the message sits beside it, even when it is below the fold
  } else if (next) {
    next.focus();
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const typing = event.target.matches("input[type=text], input[type=number], input:not([type]), textarea, select");
    if (form && !typing && /^[1-9]$/.test(event.key)) {
      const inputs = form.querySelectorAll("input[name=chosen]");
      const input = inputs[Number(event.key) - 1];
      if (input) {
        input.type === "checkbox" ? (input.checked = !input.checked) : (input.checked = true);
        input.dispatchEvent(new Event("change", { bubbles: true }));  // the exam page saves on change
        input.focus();
        event.preventDefault();
      }
    } else if (form && (!typing || event.target.name === "value") && /^[lmh]$/i.test(event.key)) {
      // letters are no part of a number, so L/M/H keep setting certainty while the number box has focus
      const level = { l: "low", m: "medium", h: "high" }[event.key.toLowerCase()];
      const radio = form.querySelector(`input[name=confidence][value=${level}]`);
      if (radio) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
        radio.focus();
        event.preventDefault();
      }
    } else if (event.key === "Enter" && form && event.target.tagName !== "BUTTON") {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Enter" && !form && next && event.target === document.body) {
      next.click();
    }
  });
});
