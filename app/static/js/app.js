// Order Desk Academy: small progressive enhancements. Every page works without this file.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the first field with an error, so keyboard and screen-reader users land on it.
  const invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();

  // Buttons that ask for confirmation carry data-confirm="question".
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // A table wider than its box scrolls inside it. While it does, the box takes keyboard focus (arrow keys
  // scroll it), is named after its section's heading, and fades out on the right while columns hide there.
  const wraps = [...document.querySelectorAll(".table-wrap")];
  const markScrolling = () => wraps.forEach((wrap) => {
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    wrap.classList.toggle("scrolls", scrolls);
    wrap.classList.toggle("more-right", scrolls && wrap.scrollLeft + wrap.clientWidth < wrap.scrollWidth - 1);
    if (scrolls && !wrap.hasAttribute("tabindex")) {
      const heading = wrap.closest("section, main")?.querySelector("h1, h2, h3");
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", heading ? heading.textContent.trim() : "Table");
      wrap.dataset.madeFocusable = "";
    } else if (!scrolls && "madeFocusable" in wrap.dataset) {
      ["tabindex", "role", "aria-label", "data-made-focusable"].forEach((name) => wrap.removeAttribute(name));
    }
  });
  wraps.forEach((wrap) => wrap.addEventListener("scroll", markScrolling, { passive: true }));
  window.addEventListener("resize", markScrolling);
  markScrolling();

  // Forms marked data-once disable their submit buttons after the first submit (no double posts).
  document.querySelectorAll("form[data-once]").forEach((form) => {
    form.addEventListener("submit", () => {
      setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; }), 0);
    });
  });
});
