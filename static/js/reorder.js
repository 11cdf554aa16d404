// Drag and drop for the prompt list on the event overview. Each prompt has
// a move form (the ↑ ↓ buttons, which work without this script); a drop
// posts that same form with "to", the prompt's new place, and keeps the
// order on screen. If the server refuses, the page reloads to the truth.

const list = document.querySelector("[data-reorder]");
// Touch screens do not drag and drop HTML elements; they keep the arrows.
const touchOnly = matchMedia("(pointer: coarse)").matches && !matchMedia("(any-pointer: fine)").matches;

if (list && !touchOnly) {
  const items = () => [...list.querySelectorAll("[data-reorder-item]")];
  let dragged = null;

  const refreshArrows = () => {
    const all = items();
    all.forEach((item, i) => {
      const up = item.querySelector("[data-move-up]");
      const down = item.querySelector("[data-move-down]");
      if (up) up.disabled = i === 0;
      if (down) down.disabled = i === all.length - 1;
    });
  };

  const save = async (item) => {
    const form = item.querySelector("form[data-move]");
    if (!form) return;
    // URL-encoded, as the form itself posts: the server never parses a
    // multipart body to find the CSRF token, so it goes in the header too.
    const body = new URLSearchParams(new FormData(form));
    body.set("to", String(items().indexOf(item)));
    try {
      const res = await fetch(form.action, {
        method: "POST", body,
        headers: { Accept: "application/json", "X-CSRF-Token": form.elements._csrf?.value || "" },
      });
      if (!res.ok) throw new Error(`status ${res.status}`);
    } catch {
      location.reload();
    }
  };

  for (const item of items()) {
    const handle = item.querySelector("[data-drag-handle]");
    if (!handle) continue;
    handle.hidden = false;
    // Only the handle starts a drag, so text stays selectable and photos
    // inside the card are not dragged instead.
    handle.addEventListener("pointerdown", () => { item.draggable = true; });
    handle.addEventListener("pointerup", () => { item.draggable = false; });
    let from = -1;
    item.addEventListener("dragstart", (e) => {
      dragged = item;
      from = items().indexOf(item);
      item.classList.add("dragging");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", item.id);
    });
    // dragend fires however the drag ends (dropped, or let go elsewhere):
    // whatever order is on screen then is the one saved.
    item.addEventListener("dragend", () => {
      item.draggable = false;
      item.classList.remove("dragging");
      dragged = null;
      if (items().indexOf(item) !== from) {
        refreshArrows();
        save(item);
      }
    });
  }

  list.addEventListener("dragover", (e) => {
    if (!dragged) return;
    e.preventDefault();
    const over = e.target.closest?.("[data-reorder-item]");
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = e.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });

  list.addEventListener("drop", (e) => {
    if (dragged) e.preventDefault();
  });
}
