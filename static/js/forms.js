// Small form helpers, all optional: the pages work without them.
//   [data-detect-tz]   fills a time-zone field with the browser's zone
//   [data-copy]        copies its value to the clipboard
//   form[data-confirm] asks before submitting a destructive form
//   [data-select-on-focus] selects a read-only link for copying by hand

// Pages style a few controls differently once scripts run (see app.css).
document.documentElement.classList.add("js");

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";

for (const el of document.querySelectorAll("[data-detect-tz]")) {
  if (!zone) continue;
  if (el.tagName === "SELECT") {
    // Only pick the browser's zone if the list knows it.
    if ([...el.options].some((o) => o.value === zone)) el.value = zone;
  } else if (!el.value) {
    el.value = zone;
  }
}

for (const btn of document.querySelectorAll("[data-copy]")) {
  btn.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(btn.dataset.copy);
      const label = btn.textContent;
      btn.textContent = "Copied";
      setTimeout(() => { btn.textContent = label; }, 1500);
    } catch {
      btn.previousElementSibling?.select?.();
    }
  });
}

for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (e) => {
    if (!confirm(form.dataset.confirm)) e.preventDefault();
  });
}

for (const el of document.querySelectorAll("[data-select-on-focus]")) {
  el.addEventListener("focus", () => el.select());
}
