// The presenter's slideshow: keys (and presentation clickers, which send
// PageUp/PageDown, arrows, "." or "b") move through the deck, R reveals
// the name, F goes full screen, N shows the notes. Each move is sent to
// the server, which tells every phone and every other presenter tab; the
// slide changes here when the server has taken it, with the photo already
// decoded, so the screen never shows a blank frame.
//
// Without this script the page still works with its form buttons.

import {
  Preloader, authorLine, describeSlide as describe, hideControlsWhenIdle, messageSlide, presenterKey, renderSlide, tallyLine,
  toggleFullscreen, whenReady,
} from "./slide.js";

const root = document.querySelector("[data-presenter]");
if (root) start(root);

function start(root) {
  document.documentElement.classList.add("js");
  const stage = root.querySelector("[data-stage]");
  const counter = root.querySelector("[data-counter]");
  const notes = root.querySelector("[data-notes]");
  const noteNow = root.querySelector("[data-note-now]");
  const noteNext = root.querySelector("[data-note-next]");
  const nextPreview = root.querySelector("[data-next-preview]");
  const nextImg = root.querySelector("[data-next-img]");
  const toast = root.querySelector("[data-toast]");
  const base = root.dataset.base;
  const csrf = root.dataset.csrf;
  const preview = !!root.dataset.preview;
  const canPresent = !!root.dataset.canPresent;
  const preloader = new Preloader();

  let deck = null; // {version, slides}
  let state = { seq: Number(root.dataset.seq) || 0, status: root.dataset.status, index: Number(root.dataset.index) || 0, named: false };
  const named = new Set(); // preview only: names revealed in this tab
  let renderToken = 0;
  let shownKey = stage.querySelector("[data-slide]")?.dataset.key || "";

  if (new URLSearchParams(location.search).has("notes")) notes.hidden = false;

  const say = (msg) => {
    toast.textContent = msg;
    toast.hidden = !msg;
    if (msg) setTimeout(() => { if (toast.textContent === msg) toast.hidden = true; }, 4000);
  };



  function updateChrome() {
    const n = deck.slides.length;
    counter.textContent = n ? `${state.index + 1} / ${n}` : "";
    const cur = deck.slides[state.index];
    const next = deck.slides[state.index + 1];
    noteNow.textContent = cur ? `Now: ${describe(cur)}${cur.has_author && !state.named ? " (name hidden: R)" : ""}` : "";
    noteNext.textContent = `Next: ${describe(next)}`;
    if (next && next.kind === "photo") {
      nextImg.src = next.photo;
      nextPreview.hidden = false;
    } else {
      nextPreview.hidden = true;
    }
    for (const i of [1, 2, 3, -1]) preloader.add(deck.slides[state.index + i]?.photo);
  }

  async function render() {
    const token = ++renderToken;
    const s = deck.slides[state.index];
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

  async function loadDeck() {
    const res = await fetch(`${base}/deck.json${preview ? "?preview=1" : ""}`, { headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error(`deck: ${res.status}`);
    const data = await res.json();
    deck = { version: data.version, slides: data.slides || [] };
    if (preview) {
      state = { seq: 0, status: "preview", index: 0, named: false };
    } else if (data.state.seq >= state.seq) {
      state = data.state;
      state.status = state.status || "idle";
    }
  }

  // apply takes a state from the server (an answer to a move, or the
  // stream) unless a newer one is already here.
  async function apply(st) {
    if (!st || st.seq < state.seq) return;
    st.status = st.status || "idle";
    if (st.status !== state.status) {
      location.reload(); // started or ended elsewhere: the page changes shape
      return;
    }
    if (state.status !== "live") return;
    if (deck && st.seq === state.seq && st.deck === deck.version && st.index === state.index && st.named === state.named) return;
    if (!deck || st.deck !== deck.version) await loadDeck();
    if (st.seq >= state.seq) state = st;
    await render();
  }

  async function post(action, body = {}) {
    const res = await fetch(`${base}/${action}`, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf, Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body),
    });
    if (!res.ok) {
      let msg = `The server refused (${res.status}).`;
      try { msg = (await res.json()).error || msg; } catch { /* not JSON */ }
      throw new Error(msg);
    }
    return res.json();
  }

  // Moves queue up: each press aims one further than the last aim, so a
  // clicker pressed three times moves three slides even before the server
  // has answered the first; only one request is in flight at a time.
  let aim = null;
  let inflight = false;
  async function pump() {
    if (inflight || aim === null) return;
    inflight = true;
    const target = aim;
    try {
      const st = await post("goto", { index: target });
      if (aim === target) aim = null;
      await apply(st);
    } catch (err) {
      aim = null;
      say(err.message || "The move did not reach the server. Try again.");
    } finally {
      inflight = false;
    }
    pump();
  }

  function go(to) {
    if (!deck || !deck.slides.length) return;
    to = Math.max(0, Math.min(deck.slides.length - 1, to));
    if (preview) {
      state.index = to;
      state.named = named.has(deck.slides[to].key);
      render();
      return;
    }
    if (state.status !== "live" || !canPresent) return;
    aim = to;
    pump();
  }

  const step = (delta) => go((aim ?? state.index) + delta);

  async function toggleName() {
    const s = deck?.slides[state.index];
    if (!s || !s.has_author) return;
    if (preview) {
      if (named.has(s.key)) named.delete(s.key); else named.add(s.key);
      state.named = named.has(s.key);
      render();
      return;
    }
    if (state.status !== "live" || !canPresent) return;
    try {
      await apply(await post("name", { named: state.named ? "0" : "1" }));
    } catch (err) {
      say(err.message);
    }
  }

  const fullscreen = () => toggleFullscreen(say);

  const toggleNotes = () => { notes.hidden = !notes.hidden; };

  const actions = {
    next: () => step(1),
    prev: () => step(-1),
    name: toggleName,
    fullscreen,
    notes: toggleNotes,
  };

  const keyActions = { ...actions, first: () => go(0), last: () => go((deck?.slides.length || 1) - 1) };
  document.addEventListener("keydown", (e) => {
    if (e.target.closest?.("input, textarea, select")) return;
    const act = keyActions[presenterKey(e)];
    if (!act) return;
    // A focused button would also take Space/Enter as a click.
    e.preventDefault();
    act();
  });

  // The buttons: the script does what their forms would, without a reload.
  for (const btn of root.querySelectorAll("[data-action]")) {
    btn.addEventListener("click", (e) => {
      const act = actions[btn.dataset.action];
      if (!act || (btn.form && !deck)) return; // no deck yet: let the form post
      e.preventDefault();
      btn.blur();
      act();
    });
  }
  for (const form of root.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (e) => {
      if (!confirm(form.dataset.confirm)) e.preventDefault();
    });
  }

  hideControlsWhenIdle(root);

  // Other presenter tabs and phones move together: follow the stream.
  // A refused stream (too many tabs, a restart) is tried again later and
  // later (see follower.js), not every 3 s forever.
  let refusals = 0;
  function follow() {
    const es = new EventSource(`${base}/stream`);
    es.addEventListener("open", () => { refusals = 0; });
    es.addEventListener("slide", (e) => {
      let st;
      try { st = JSON.parse(e.data); } catch { return; }
      apply(st).catch((err) => say(err.message));
    });
    es.addEventListener("reactions", (e) => {
      let batch;
      try { batch = JSON.parse(e.data); } catch { return; }
      floatReactions(batch);
    });
    es.addEventListener("error", () => {
      if (es.readyState === EventSource.CLOSED) {
        setTimeout(follow, Math.min(3000 * 2 ** refusals++, 60000) * (0.75 + Math.random() / 2));
      }
    });
  }

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

  const live = state.status === "live";
  if (preview || live) {
    loadDeck().then(render).catch((err) => say(`Could not load the deck: ${err.message}`));
  }
  if (!preview) follow();
  root.dataset.ready = "1";
}
