// The offline copy of the reveal: the presenter's keys over the deck saved
// in the page, with no server at all (no fetch, no stream, no external
// URL; the photos are files beside index.html).
//
// This file is never loaded on its own. handlers/live/offline.go puts
// slide.js and then this file into one inline module script of the zip's
// index.html, so slide.js's functions (renderSlide, describeSlide,
// presenterKey, …) and Preloader are in scope: Chromium refuses module scripts and imports
// from file://, and an inline script is all that runs there.

const offlineRoot = document.querySelector("[data-offline]");
if (offlineRoot) startOffline(offlineRoot);

function startOffline(root) {
  document.documentElement.classList.add("js");
  const stage = root.querySelector("[data-stage]");
  const counter = root.querySelector("[data-counter]");
  const notes = root.querySelector("[data-notes]");
  const noteNow = root.querySelector("[data-note-now]");
  const noteNext = root.querySelector("[data-note-next]");
  const nextPreview = root.querySelector("[data-next-preview]");
  const nextImg = root.querySelector("[data-next-img]");
  const controls = root.querySelector("[data-controls]");
  const banner = root.querySelector("[data-banner]");
  const preloader = new Preloader();

  let slides = [];
  try {
    slides = JSON.parse(document.getElementById("deck").textContent).slides || [];
  } catch {
    stage.replaceChildren(messageSlide("This copy is damaged", "Download the deck again from the dashboard."));
    return;
  }
  // Names are hidden until R, per slide, as in the live presenter; going
  // back to a slide keeps its name as it was.
  const named = new Set();
  let index = 0;
  let shownKey = "";
  let renderToken = 0;

  // The slide number in the address (#5) keeps the place across a reload.
  const fromHash = Number(location.hash.slice(1));
  if (Number.isInteger(fromHash) && fromHash >= 1 && fromHash <= slides.length) index = fromHash - 1;



  function updateChrome() {
    const cur = slides[index];
    const next = slides[index + 1];
    const isNamed = !!cur && named.has(cur.key);
    counter.textContent = slides.length ? `${index + 1} / ${slides.length}` : "";
    noteNow.textContent = cur ? `Now: ${describeSlide(cur)}${cur.has_author && !isNamed ? " (name hidden: R)" : ""}` : "";
    noteNext.textContent = `Next: ${describeSlide(next)}`;
    if (next && next.kind === "photo" && next.photo) {
      nextImg.src = next.photo;
      nextPreview.hidden = false;
    } else {
      nextPreview.hidden = true;
    }
    for (const i of [1, 2, 3, -1]) preloader.add(slides[index + i]?.photo);
    history.replaceState(null, "", `#${index + 1}`);
  }

  async function render() {
    const token = ++renderToken;
    const s = slides[index];
    if (!s) {
      stage.replaceChildren(messageSlide("The deck is empty", "There was nothing to show when this copy was saved."));
      return;
    }
    const isNamed = named.has(s.key);
    if (s.key === shownKey) {
      // Same slide: only the name line changes (no flicker).
      const p = stage.querySelector("[data-author]");
      if (p) {
        authorLine(p, s, isNamed);
        if (isNamed) p.classList.add("revealed");
      }
      updateChrome();
      return;
    }
    const el = renderSlide(s, isNamed);
    // The old slide stays until the photo is decoded: never a blank frame.
    await whenReady(el, 3000);
    if (token !== renderToken) return; // a newer move won
    stage.replaceChildren(el);
    root.dataset.on = s.kind;
    shownKey = s.key;
    updateChrome();
  }

  function go(to) {
    if (!slides.length) return;
    // The banner would cover the next slide's head line: the show is on.
    banner.hidden = true;
    index = Math.max(0, Math.min(slides.length - 1, to));
    render();
  }

  function toggleName() {
    const s = slides[index];
    if (!s || !s.has_author) return;
    if (named.has(s.key)) named.delete(s.key); else named.add(s.key);
    render();
  }

  const fullscreen = () => toggleFullscreen();

  const toggleNotes = () => { notes.hidden = !notes.hidden; };

  const actions = {
    next: () => go(index + 1),
    prev: () => go(index - 1),
    name: toggleName,
    fullscreen,
    notes: toggleNotes,
  };

  // The same keys as the live presenter (slide.js's presenterKey).
  const keyActions = { ...actions, first: () => go(0), last: () => go(slides.length - 1) };
  document.addEventListener("keydown", (e) => {
    const act = keyActions[presenterKey(e)];
    if (!act) return;
    // A focused button would also take Space/Enter as a click.
    e.preventDefault();
    act();
  });

  controls.hidden = false;
  for (const btn of controls.querySelectorAll("[data-action]")) {
    btn.addEventListener("click", (e) => {
      e.preventDefault();
      btn.blur();
      actions[btn.dataset.action]?.();
    });
  }

  hideControlsWhenIdle(root);

  render();
  root.dataset.ready = "1";
}
