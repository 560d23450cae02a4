// Exam page: a countdown to the server's deadline, and keyboard answering (shared with practice.js).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
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
