// Exam page: every selection saved as it is made, a countdown to the server's deadline, and keyboard
// answering (shared with practice.js). Without JavaScript the Save buttons do the same.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const itemForm = document.getElementById("item-form");
  const status = document.getElementById("save-status");
  if (itemForm) {
    let pending = Promise.resolve();
    const save = () => {
      const body = new FormData(itemForm);
      body.delete("goto");
      // keepalive lets the request finish when the tab is closed right after a click
      pending = pending.then(() => fetch(itemForm.action || window.location.href, {
        method: "POST", body, keepalive: true, credentials: "same-origin",
        headers: { "X-Autosave": "1" },
      })).then((response) => {
        if (status) status.textContent = response.ok ? "Saved." : "Not saved: use the Save button.";
        const cell = document.querySelector(".nav-cell.current");
        if (response.ok && cell) cell.classList.add("answered");
      }).catch(() => {
        if (status) status.textContent = "Not saved (connection lost): use the Save button.";
      });
    };
    itemForm.addEventListener("change", (event) => {
      if (event.target.matches("input[name=chosen], select[name=chosen], input[name=confidence], input[name=flagged]")) save();
    });
    itemForm.addEventListener("input", (event) => {
      if (event.target.matches("input[name=value], input[name=chosen][type=text]")) {  // typed answers
        clearTimeout(itemForm.dataset.timer);
        itemForm.dataset.timer = setTimeout(save, 400);
      }
    });
  }
  const timer = document.querySelector("[data-deadline]");
  if (!timer) return;
  const deadline = new Date(timer.dataset.deadline).getTime();
  const out = document.getElementById("time-left");
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    const h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    out.textContent = (h ? `${h} h ` : "") + `${String(m).padStart(2, "0")} min ${String(s).padStart(2, "0")} s`;
    if (left <= 300) timer.classList.add("low");
    if (left === 0) {
      clearInterval(handle);
      out.textContent = "time is up: answers no longer count";
      const form = document.getElementById("submit-form");
      if (form) form.submit();  // the server closes the exam with what was saved in time
    }
  };
  const handle = setInterval(tick, 1000);
  tick();
});
