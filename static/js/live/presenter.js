// The presenter's slideshow, the tab shared on the call: keys (and
// presentation clickers, which send PageUp/PageDown, arrows, "." or "b")
// move through the deck, Shift+arrows or ] and [ jump between prompts, R
// reveals the name, O or G opens the overview, T runs the mosaic timer, N
// opens the notes window (never drawn over the slide: the call would see
// them), F goes full screen. Each move is sent to the server, which tells
// every phone and every other presenter window; the slide changes here
// when the server has taken it, with the photo already decoded, so the
// screen never shows a blank frame.
//
// Without this script the page still works with its form buttons.

import { AutoAdvance, drawTimer } from "./autoadvance.js";
import { Overview } from "./overview.js";
import { clockLines } from "./plan.js";
import { Remote, bindControls } from "./remote.js";
import { Preloader, authorLine, hideControlsWhenIdle, messageSlide, renderSlide, tallyLine, whenReady } from "./slide.js";

const root = document.querySelector("[data-presenter]");
if (root) start(root);

function start(root) {
  document.documentElement.classList.add("js");
  const stage = root.querySelector("[data-stage]");
  const counter = root.querySelector("[data-counter]");
  const clock = root.querySelector("[data-clock]");
  const timerBtn = root.querySelector("[data-action=timer]");
  const toast = root.querySelector("[data-toast]");
  const preloader = new Preloader();

  const say = (msg) => {
    toast.textContent = msg;
    toast.hidden = !msg;
    if (msg) setTimeout(() => { if (toast.textContent === msg) toast.hidden = true; }, 4000);
  };

  let renderToken = 0;
  let shownKey = stage.querySelector("[data-slide]")?.dataset.key || "";
  const remote = new Remote(root, { onChange: render, onError: say, onReactions: floatReactions });
  const overview = new Overview(root.querySelector("[data-overview]"), { onPick: (i) => remote.go(i), shared: true });
  const timer = new AutoAdvance(remote, { onUpdate: (v) => drawTimer(timerBtn, v) });

  function updateChrome() {
    const { slides, state } = remote;
    counter.textContent = slides.length ? `${state.index + 1} / ${slides.length}` : "";
    for (const i of [1, 2, 3, -1]) preloader.add(slides[state.index + i]?.photo);
    overview.sync(slides, state.index);
    timer.slideChanged();
    tickClock();
  }

  // The clock in the controls: time since the start against the plan, for
  // the presenter's eyes when the controls are up.
  function tickClock() {
    const s = remote.current();
    if (!clock || !s) return;
    const c = clockLines(remote.plan, remote.state.index, remote.clock.elapsed(), s);
    clock.textContent = `${c.elapsed} · plan ${c.plan}`;
    clock.title = `${c.elapsed} since the start; the ${c.estimated ? "estimated " : ""}plan has this slide at ${c.plan} (${c.standing}), ${c.total} in all`;
    clock.dataset.pace = c.cls;
  }
  setInterval(tickClock, 1000);

  async function render() {
    const token = ++renderToken;
    const { state } = remote;
    const s = remote.current();
    if (!s) {
      stage.replaceChildren(messageSlide("The deck is empty", "Add prompts and answers, then refresh the deck."));
      return;
    }
    if (s.key === shownKey) {
      // Same slide: only the name line changes (no flicker, no reload).
      const p = stage.querySelector("[data-author]");
      if (p) {
        const was = !p.classList.contains("guess");
        authorLine(p, s, state.named);
        if (state.named && !was) p.classList.add("revealed");
        const tally = stage.querySelector("[data-tally]");
        if (state.named && s.guesses && !tally) p.after(tallyLine(s));
        if (!state.named && tally) tally.remove();
      }
      updateChrome();
      return;
    }
    const el = renderSlide(s, state.named);
    await whenReady(el, 3000);
    if (token !== renderToken) return; // a newer move won
    stage.replaceChildren(el);
    root.dataset.on = s.kind;
    shownKey = s.key;
    updateChrome();
  }

  // notes opens the notes window (or brings it forward): a window of its
  // own, for the presenter's screen while this tab is shared.
  function openNotes() {
    if (remote.preview) {
      say("The notes window follows the live reveal. In this preview, O shows every slide.");
      return;
    }
    const w = open(`${remote.base}/notes`, "retreat-notes", "popup,width=1280,height=800");
    if (!w) say("The browser blocked the notes window: allow pop-ups for this site, or use the Notes link.");
    else w.focus();
  }

  bindControls(root, remote, overview, { timer, say, notes: openNotes });
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (e) => {
      if (!confirm(form.dataset.confirm)) e.preventDefault();
    });
  }

  hideControlsWhenIdle(root);

  // The room's reactions float up the screen: a few per emoji per batch
  // (a hundred thumbs still read as a crowd), never more than a screenful.
  const layer = root.querySelector("[data-reactions]");
  function floatReactions(batch) {
    if (!layer || !batch.counts) return;
    for (const [emoji, n] of Object.entries(batch.counts)) {
      const shown = Math.min(n, 6);
      for (let i = 0; i < shown && layer.childElementCount < 60; i++) {
        const r = document.createElement("span");
        r.className = "reaction";
        r.textContent = emoji;
        r.style.left = `${4 + Math.random() * 88}%`;
        r.style.animationDelay = `${Math.random() * 0.6}s`;
        r.style.setProperty("--drift", `${Math.round((Math.random() - 0.5) * 12)}vmin`);
        r.addEventListener("animationend", () => r.remove());
        layer.append(r);
      }
    }
  }

  remote.start();
  root.dataset.ready = "1";
}
