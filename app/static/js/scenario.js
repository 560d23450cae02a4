// Scenario player: number keys pick a choice; an optional decision countdown (the server records the time).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const choices = Array.from(document.querySelectorAll("button.choice"));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.tagName === "TEXTAREA") return;
    if (/^[1-9]$/.test(event.key) && choices[Number(event.key) - 1]) {
      choices[Number(event.key) - 1].focus();
      event.preventDefault();
    }
  });
  const form = document.querySelector("form[data-seconds]");
  const out = document.querySelector("[data-countdown]");
  if (form && out) {
    let left = Number(form.dataset.seconds);
    const handle = setInterval(() => {
      left -= 1;
      out.textContent = left > 0 ? `${left} s` : "time is up: decide now";
      if (left <= 0) { out.parentElement.classList.add("low"); clearInterval(handle); }
    }, 1000);
  }
});
