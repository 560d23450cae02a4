// The draft editor: soft wrap or line numbers, Tab indents, Ctrl/Cmd+S saves, live checks and preview,
// autosave every 20 s while the text changes, and a warning before leaving with unsaved changes.
// Without this file the page is a plain form whose Save button shows the same checks and preview,
// rendered on the server. No build step, no inline script or style (the CSP forbids both).
"use strict";

(() => {
  const DEBOUNCE_MS = 400;
  const AUTOSAVE_MS = 20000;
  const INDENT = "  ";
  const MODIFIER_KEYS = new Set(["Shift", "Control", "Alt", "Meta"]);

  function plural(n, word) {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
  }

  function countText(problems) {
    if (!problems.length) return "No problems found.";
    const errors = problems.filter((p) => p.severity === "error").length;
    return `${plural(errors, "error")}, ${plural(problems.length - errors, "warning")}.`;
  }

  function setup(textarea) {
    const form = textarea.form;
    const wrapper = textarea.closest("[data-editor]");
    const list = document.getElementById("problems");
    const status = document.getElementById("problems-status");
    const preview = document.getElementById("preview");
    const map = document.getElementById("map");
    const saveState = document.getElementById("save-state");
    const storageKey = `editor:${location.pathname}`;

    // -- the gutter: one number per line, scrolled with the text ------------------------------------
    const gutter = document.createElement("div");
    gutter.className = "editor-gutter";
    gutter.setAttribute("aria-hidden", "true");
    const numbers = document.createElement("div");
    numbers.className = "editor-numbers";
    gutter.appendChild(numbers);
    wrapper.insertBefore(gutter, textarea);
    wrapper.classList.add("is-enhanced");

    let marks = new Map(); // line -> "error" | "warning"
    let shownLines = -1;
    let current = 0;

    function drawGutter(force) {
      const count = textarea.value.split("\n").length;
      if (count === shownLines && !force) return;
      const fragment = document.createDocumentFragment();
      for (let n = 1; n <= count; n += 1) {
        const span = document.createElement("span");
        span.textContent = String(n);
        const mark = marks.get(n);
        if (mark) span.classList.add(`mark-${mark}`);
        if (n === current) span.classList.add("is-current");
        fragment.appendChild(span);
      }
      numbers.replaceChildren(fragment);
      shownLines = count;
      followScroll();
    }

    function followScroll() {
      gutter.scrollTop = textarea.scrollTop;
    }

    function markProblems(problems) {
      marks = new Map();
      for (const p of problems) {
        if (marks.get(p.line) !== "error") marks.set(p.line, p.severity);
      }
      drawGutter(true);
    }

    // -- soft wrap (the default) or line numbers: numbers cannot follow a wrapped line ------------------
    const wrapKey = "editor:wrap";
    const wrapLabel = document.createElement("label");
    wrapLabel.className = "editor-wrap";
    const wrapBox = document.createElement("input");
    wrapBox.type = "checkbox";
    try {
      wrapBox.checked = localStorage.getItem(wrapKey) !== "off";
    } catch (error) {
      wrapBox.checked = true; // storage refused: wrap, as without script
    }
    wrapLabel.append(wrapBox, " Wrap long lines (line numbers show when off)");
    wrapper.parentNode.insertBefore(wrapLabel, wrapper);

    function applyWrap() {
      wrapper.classList.toggle("is-unwrapped", !wrapBox.checked);
      textarea.wrap = wrapBox.checked ? "soft" : "off";
      try {
        localStorage.setItem(wrapKey, wrapBox.checked ? "on" : "off");
      } catch (error) {
        // Only the preference is not remembered.
      }
      drawGutter(true);
    }
    wrapBox.addEventListener("change", applyWrap);

    // -- moving the caret to a line (lint messages, map boxes) ----------------------------------------
    function lineHeight() {
      return parseFloat(getComputedStyle(textarea).lineHeight) || 21;
    }

    function goToLine(line) {
      const lines = textarea.value.split("\n");
      const n = Math.min(Math.max(line, 1), lines.length);
      let offset = 0;
      for (let i = 0; i < n - 1; i += 1) offset += lines[i].length + 1;
      textarea.focus({ preventScroll: true });
      textarea.setSelectionRange(offset, offset);
      textarea.scrollTop = Math.max(0, (n - 1) * lineHeight() - textarea.clientHeight / 3);
      textarea.scrollLeft = 0;
      textarea.scrollIntoView({ block: "nearest" });
      current = n;
      drawGutter(true);
    }

    document.addEventListener("click", (event) => {
      const link = event.target.closest("[data-line]");
      if (!link || textarea.disabled) return;
      event.preventDefault();
      goToLine(Number(link.dataset.line));
    });

    // -- keys: Tab indents (Esc first lets Tab leave), Shift+Tab outdents, Ctrl/Cmd+S saves -----------
    function insert(text) {
      // execCommand keeps the browser's undo history; setRangeText is the fallback.
      if (!document.execCommand || !document.execCommand("insertText", false, text)) {
        textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }

    function indentLines(outdent) {
      const value = textarea.value;
      const start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
      let end = textarea.selectionEnd;
      if (end > start && value[end - 1] === "\n") end -= 1;
      const block = value.slice(start, end);
      const changed = block
        .split("\n")
        .map((line) => (outdent ? line.replace(/^ {1,2}/, "") : INDENT + line))
        .join("\n");
      if (changed === block) return;
      textarea.setSelectionRange(start, end);
      insert(changed);
      textarea.setSelectionRange(start, start + changed.length);
    }

    let leaving = false; // Esc was pressed: the next Tab moves focus instead of indenting
    textarea.addEventListener("focus", () => {
      leaving = false;
    });
    textarea.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
        event.preventDefault();
        save();
        return;
      }
      if (event.key === "Escape") {
        leaving = true;
        return;
      }
      if (event.key === "Tab" && !leaving && !textarea.readOnly && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        const multiline = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd).includes("\n");
        if (event.shiftKey || multiline) indentLines(event.shiftKey);
        else insert(INDENT);
        return;
      }
      if (!MODIFIER_KEYS.has(event.key)) leaving = false;
    });

    // -- saving: a normal form submit; the caret and scroll come back after the reload --------------
    function save() {
      if (textarea.readOnly) return;
      if (saveState) saveState.textContent = "Saving…";
      form.requestSubmit(form.querySelector("button[name=submit]") || undefined);
    }

    // -- unsaved changes: warn before leaving; autosave the text every 20 s while it changes ----------
    let dirty = false;
    form.addEventListener("input", () => {
      dirty = true;
    });
    window.addEventListener("beforeunload", (event) => {
      if (!dirty) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set to show their own warning
    });

    async function autosave() {
      if (!dirty || textarea.readOnly || !textarea.dataset.autosaveUrl) return;
      const text = textarea.value;
      const title = form.elements.title ? form.elements.title.value : "";
      try {
        const response = await fetch(textarea.dataset.autosaveUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
          body: JSON.stringify({ text, title }),
        });
        if (response.status === 409) {
          if (saveState) saveState.textContent = "Not saved: the draft is in review, so its text is locked.";
          return;
        }
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        const data = await response.json();
        if (textarea.value === text) dirty = false;
        const at = new Date(data.saved_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        if (saveState) saveState.textContent = `Saved automatically at ${at}`;
      } catch (error) {
        if (saveState) saveState.textContent = `Not saved automatically (${error.message}): press Save.`;
      }
    }
    setInterval(autosave, AUTOSAVE_MS);

    form.addEventListener("submit", (event) => {
      dirty = false; // the form itself saves
      // Plain Save comes back to this page: keep the caret and scroll for after the reload.
      if (event.submitter && event.submitter.name === "submit") {
        const where = { start: textarea.selectionStart, end: textarea.selectionEnd, scroll: textarea.scrollTop };
        sessionStorage.setItem(storageKey, JSON.stringify(where));
      }
    });

    function restore() {
      const saved = sessionStorage.getItem(storageKey);
      sessionStorage.removeItem(storageKey);
      if (!saved) return;
      try {
        const where = JSON.parse(saved);
        textarea.focus({ preventScroll: true });
        textarea.setSelectionRange(where.start, where.end);
        textarea.scrollTop = where.scroll;
      } catch (error) {
        // A damaged entry only loses the caret position.
      }
    }

    // -- live checks and preview ----------------------------------------------------------------------
    const csrfToken = form.querySelector("input[name=csrf_token]").value;
    let timer = null;
    let sequence = 0;
    let inFlight = null;

    function showProblems(problems) {
      const items = problems.map((p) => {
        const li = document.createElement("li");
        li.className = `problem ${p.severity}`;
        const link = document.createElement("a");
        link.href = "#text";
        link.dataset.line = String(p.line);
        link.textContent = `Line ${p.line}`;
        const badge = document.createElement("span");
        badge.className = `badge ${p.severity === "error" ? "bad" : "warn"}`;
        badge.textContent = p.severity;
        const message = document.createElement("span");
        message.className = "problem-message";
        message.textContent = p.message;
        li.append(link, " ", badge, " ", message);
        return li;
      });
      list.replaceChildren(...items);
      const text = countText(problems);
      if (status.textContent.trim() !== text) status.textContent = text; // announce only a change
      markProblems(problems);
    }

    async function check() {
      const mine = (sequence += 1);
      if (inFlight) inFlight.abort();
      inFlight = new AbortController();
      wrapper.classList.add("is-checking");
      try {
        const response = await fetch(textarea.dataset.previewUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
          body: JSON.stringify({ text: textarea.value }),
          signal: inFlight.signal,
        });
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        const data = await response.json();
        if (mine !== sequence) return; // a newer check is on its way
        preview.innerHTML = data.html; // rendered and sanitised on the server (nh3)
        if (map) map.innerHTML = data.map || '<p class="empty">No map until the front matter parses.</p>';
        showProblems(data.problems);
      } catch (error) {
        if (error.name === "AbortError") return;
        status.textContent = `The checks could not run (${error.message}). Save to check the text on the server.`;
      } finally {
        if (mine === sequence) wrapper.classList.remove("is-checking");
      }
    }

    textarea.addEventListener("input", () => {
      drawGutter(false);
      if (saveState) saveState.textContent = "Unsaved changes";
      clearTimeout(timer);
      timer = setTimeout(check, DEBOUNCE_MS);
    });
    textarea.addEventListener("scroll", followScroll);
    window.addEventListener("resize", followScroll);

    const initial = Array.from(list.querySelectorAll("[data-line]"), (a) => ({
      line: Number(a.dataset.line),
      severity: a.closest(".problem").classList.contains("error") ? "error" : "warning",
    }));
    marks = new Map();
    for (const p of initial) if (marks.get(p.line) !== "error") marks.set(p.line, p.severity);
    applyWrap();
    restore();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-editor] textarea[data-preview-url]").forEach(setup);
  });
})();
