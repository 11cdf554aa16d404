// The review queue from the keyboard, and moderation in place. Without this
// script every action is a plain form that reloads the page.
//   [data-review]            the list of answers
//   [data-review-item]       one answer: data-hidden, data-starred ("true"/"false")
//   form[data-mod=NAME]      hide, unhide, star, unstar, out-of-show, in-show,
//                            reviewed, bonus, delete
//   [data-badge=NAME]        hidden, starred, out_of_show, bonus, reviewed;
//                            [data-points]
//   [data-shortcuts]         the key legend, shown once the keys work
//   [data-review-status]     a live region announcing what happened
//   [data-count=FILTER]      a filter's count, redrawn after each action
//   select[data-autosubmit]  submits its form when changed
// Keys: j/k next/previous, h hide or show, s star, 1-9 bonus points, 0 no
// bonus, r reviewed. Each press posts to the same endpoint the form uses,
// asking for JSON.

for (const sel of document.querySelectorAll("select[data-autosubmit]")) {
  sel.addEventListener("change", () => sel.form.requestSubmit());
}

const list = document.querySelector("[data-review]");
const status = document.querySelector("[data-review-status]");
let current = null;

const items = () => [...list.querySelectorAll("[data-review-item]")];

function select(item, focus = true) {
  if (!item) return;
  current?.classList.remove("selected");
  current = item;
  item.classList.add("selected");
  if (focus) item.focus({ preventScroll: true });
  item.scrollIntoView({ block: "nearest" });
}

function announce(msg) {
  if (status) status.textContent = msg || "";
}

function showError(item, msg) {
  let p = item.querySelector(".review-error");
  if (!p) {
    p = document.createElement("p");
    p.className = "review-error field-error";
    p.setAttribute("role", "alert");
    item.querySelector(".review-body").append(p);
  }
  p.textContent = msg;
}

const show = (el, on) => { if (el) el.hidden = !on; };

// update redraws an answer from the server's view of it.
function update(item, d) {
  item.dataset.hidden = String(d.hidden);
  item.dataset.starred = String(d.starred);
  item.classList.toggle("is-hidden", d.hidden);
  item.classList.toggle("is-starred", d.starred);
  const form = (m) => item.querySelector(`form[data-mod="${m}"]`);
  const badge = (b) => item.querySelector(`[data-badge="${b}"]`);
  show(form("hide"), !d.hidden);
  show(form("unhide"), d.hidden);
  show(form("star"), !d.starred);
  show(form("unstar"), d.starred);
  show(form("out-of-show"), !d.out_of_show);
  show(form("in-show"), d.out_of_show);
  show(badge("out_of_show"), d.out_of_show);
  show(form("reviewed"), !d.reviewed);
  show(badge("hidden"), d.hidden);
  show(badge("starred"), d.starred);
  show(badge("reviewed"), d.reviewed);
  const bonus = badge("bonus");
  if (bonus) {
    bonus.textContent = d.bonus;
    show(bonus, d.bonus !== "");
  }
  const points = item.querySelector("[data-points]");
  if (points) points.textContent = d.points;
  const bf = form("bonus");
  if (bf) {
    bf.elements.points.value = d.bonus_points ? String(d.bonus_points) : "";
    bf.elements.reason.value = d.bonus_reason;
    bf.elements.points.removeAttribute("aria-invalid");
  }
  item.querySelectorAll(".field-error").forEach((p) => p.remove());
}

async function post(form) {
  const item = form.closest("[data-review-item]");
  let res, data = {};
  try {
    res = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json", "X-CSRF-Token": form.elements._csrf?.value || "" },
      credentials: "same-origin",
    });
    data = await res.json().catch(() => ({}));
  } catch {
    showError(item, "No connection: nothing changed. Try again.");
    return;
  }
  if (!res.ok) {
    showError(item, data.error || "That did not work. Reload the page and try again.");
    return;
  }
  announce(data.message);
  for (const [key, n] of Object.entries(data.counts || {})) {
    const pill = document.querySelector(`[data-count="${key}"]`);
    if (pill) pill.textContent = String(n);
  }
  if (data.deleted) {
    const all = items();
    const i = all.indexOf(item);
    const next = all[i + 1] || all[i - 1];
    item.remove();
    if (current === item) {
      current = null;
      select(next);
    }
    return;
  }
  update(item, data);
}

// act queues an action on an answer. The form is picked when the action
// runs, so "h h" hides and then shows again even if the first is in flight.
function act(item, pick) {
  if (!item) return;
  item.queue = (item.queue || Promise.resolve()).then(() => {
    if (!item.isConnected) return;
    const form = pick(item);
    if (form) return post(form);
  });
}

const formFor = (mod) => (item) => item.querySelector(`form[data-mod="${mod}"]`);
const toggle = (attr, on, off) => (item) => formFor(item.dataset[attr] === "true" ? off : on)(item);

if (list) {
  show(document.querySelector("[data-shortcuts]"), true);
  const target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
  const fromHash = target?.matches("[data-review-item]") ? target : null;
  select(fromHash || items()[0], Boolean(fromHash));

  list.addEventListener("click", (e) => {
    const item = e.target.closest("[data-review-item]");
    if (item && item !== current) select(item, false);
  });
  list.addEventListener("focusin", (e) => {
    const item = e.target.closest("[data-review-item]");
    if (item && item !== current) select(item, false);
  });

  // Capture at the document, before the form's own listeners (forms.js
  // asks to confirm deletes: we ask here instead, once).
  document.addEventListener("submit", (e) => {
    const form = e.target.closest("form[data-mod]");
    if (!form || !list.contains(form)) return;
    e.preventDefault();
    e.stopPropagation();
    if (form.dataset.confirm && !confirm(form.dataset.confirm)) return;
    const item = form.closest("[data-review-item]");
    select(item, false);
    act(item, () => form);
  }, true);

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    if (e.target.closest?.("input, textarea, select, [contenteditable]")) return;
    const all = items();
    if (!all.length) return;
    const i = all.indexOf(current);
    const k = e.key;
    if (k === "j") select(all[Math.min(i + 1, all.length - 1)]);
    else if (k === "k") select(all[Math.max(i - 1, 0)]);
    else if (!current) return;
    else if (k === "h") act(current, toggle("hidden", "hide", "unhide"));
    else if (k === "s") act(current, toggle("starred", "star", "unstar"));
    else if (k === "r") act(current, formFor("reviewed"));
    else if (/^[0-9]$/.test(k)) {
      act(current, (item) => {
        const form = formFor("bonus")(item);
        if (form) form.elements.points.value = k;
        return form;
      });
    } else return;
    e.preventDefault();
  });
}
