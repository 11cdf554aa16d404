// The notes window (handlers/live/notes.go): on the presenter's own screen
// while the presenter tab is shared. It follows the reveal on the event
// stream as every presenter window does, and drives it with the same keys
// and buttons: the slide on screen and the next one (drawn as the call
// sees them, scaled down), what the notes say about them, the clock
// against the show plan, the overview and the mosaic timer.
//
// Without this script the page shows the notes as they were when it loaded,
// with the form buttons (which come back here).

import { AutoAdvance, drawTimer } from "./autoadvance.js";
import { Overview } from "./overview.js";
import { clockLines, noteFor } from "./plan.js";
import { Remote, bindControls } from "./remote.js";
import { messageSlide, renderSlide } from "./slide.js";

const root = document.querySelector("[data-notes-window]");
if (root) start(root);

function start(root) {
  document.documentElement.classList.add("js");
  const screens = { now: root.querySelector("[data-screen=now]"), next: root.querySelector("[data-screen=next]") };
  const noteNow = root.querySelector("[data-note-now]");
  const noteNext = root.querySelector("[data-note-next]");
  const later = root.querySelector("[data-later]");
  const laterHead = root.querySelector("[data-later-head]");
  const counter = root.querySelector("[data-counter]");
  const clock = {
    box: root.querySelector("[data-clock]"),
    elapsed: root.querySelector("[data-elapsed]"),
    plan: root.querySelector("[data-plan]"),
    standing: root.querySelector("[data-standing]"),
    total: root.querySelector("[data-total]"),
  };
  const timerBtn = root.querySelector("[data-action=timer]");
  const nameBtn = root.querySelector(".np-controls [data-action=name]");
  const toast = root.querySelector("[data-toast]");

  const say = (msg) => {
    toast.textContent = msg;
    toast.hidden = !msg;
    if (msg) setTimeout(() => { if (toast.textContent === msg) toast.hidden = true; }, 4000);
  };

  const remote = new Remote(root, { onChange: render, onError: say });
  const overview = new Overview(root.querySelector("[data-overview]"), { onPick: (i) => remote.go(i) });
  const timer = new AutoAdvance(remote, { onUpdate: (v) => drawTimer(timerBtn, v) });

  // Each screen holds a slide laid out for a 16:9 screen (the slides are
  // sized in vmin) and scaled down to the box it has here.
  function fit(box) {
    const v = box.querySelector("[data-virtual]");
    const vmin = Math.min(innerWidth, innerHeight) / 100;
    const k = Math.min(box.clientWidth / (vmin * 160 / 0.9), box.clientHeight / (vmin * 100));
    v.style.setProperty("--k", String(k || 0));
  }
  const resize = new ResizeObserver((entries) => { for (const e of entries) fit(e.target); });
  for (const box of Object.values(screens)) resize.observe(box);

  const shownKeys = { now: "", next: "" };
  function show(which, s, named, fallback) {
    const v = screens[which].querySelector("[data-virtual]");
    const key = s ? `${s.key}:${named ? 1 : 0}` : `-${fallback}`;
    if (shownKeys[which] === key) return;
    shownKeys[which] = key;
    v.replaceChildren(s ? slideFor(s, named) : messageSlide(fallback, ""));
    screens[which].dataset.kind = s ? s.kind : "";
  }

  // slideFor draws s as the call sees it; a kind slide.js draws nothing
  // for (yet) gets a card saying what it is, so the screen is never blank.
  function slideFor(s, named) {
    const el = renderSlide(s, named);
    if (el.textContent.trim() || el.querySelector("img")) return el;
    const card = messageSlide(s.kind === "mosaic" ? s.prompt || "" : s.title || s.kind, noteFor(s), s.kind);
    card.dataset.slide = "";
    card.dataset.key = s.key;
    return card;
  }

  // The few slides after the next one, a line each.
  function showLater(from) {
    const items = [];
    for (let i = from; i < Math.min(from + 5, remote.slides.length); i++) {
      const li = document.createElement("li");
      const num = document.createElement("span");
      num.className = "np-num";
      num.textContent = String(i + 1);
      li.append(num, noteFor(remote.slides[i]));
      items.push(li);
    }
    later.replaceChildren(...items);
    laterHead.hidden = !items.length;
  }

  function render() {
    const { state, slides } = remote;
    const cur = remote.current();
    const next = slides[state.index + 1];
    if (state.status === "live" || remote.preview) {
      show("now", cur, state.named, remote.deck ? "The deck is empty" : "Loading the deck…");
      show("next", next, false, "The end");
      noteNow.textContent = cur ? `${noteFor(cur)}${cur.has_author ? (state.named ? " · name revealed" : " · name hidden (R)") : ""}` : "";
      noteNext.textContent = noteFor(next);
      showLater(state.index + 2);
      if (nameBtn) nameBtn.textContent = cur?.has_author ? (state.named ? "Hide name" : "Reveal name") : "Name";
      counter.textContent = slides.length ? `${state.index + 1} / ${slides.length}` : "";
      overview.sync(slides, state.index);
      timer.slideChanged();
    } else {
      show("now", null, false, state.status === "ended" ? "That's a wrap" : "Not started yet");
      show("next", null, false, "");
      showLater(Infinity);
    }
    tickClock();
  }

  function tickClock() {
    const s = remote.current();
    const live = remote.state.status === "live" && s;
    clock.box.dataset.pace = live ? "" : "off";
    if (!live) {
      clock.elapsed.textContent = "--:--";
      clock.plan.textContent = remote.state.status === "ended" ? "the reveal has ended" : "starts when you start the reveal";
      clock.standing.textContent = "";
      clock.total.textContent = "";
      return;
    }
    const c = clockLines(remote.plan, remote.state.index, remote.clock.elapsed(), s);
    clock.elapsed.textContent = c.elapsed;
    clock.plan.textContent = `· ${c.estimated ? "est. plan" : "plan"} ${c.plan}`;
    clock.standing.textContent = `· ${c.standing}`;
    clock.total.textContent = `· show ${c.total}`;
    clock.box.dataset.pace = c.cls;
    clock.box.title = c.estimated
      ? "The deck has no show plan yet: the times are estimated from a default per kind of slide."
      : "Time since the reveal started, against when the show plan has this slide come on screen.";
  }
  setInterval(tickClock, 1000);

  bindControls(root, remote, overview, { timer, say, notes: () => {} }); // this is the notes window

  render();
  remote.start();
  root.dataset.ready = "1";
}
