// The reveal as a presenter's window drives it: the deck, the state the
// server last confirmed, the moves sent to it and the event stream that
// brings everyone else's. The presenter tab (presenter.js) and the notes
// window (notes.js) each hold one and draw it their own way.

import { Plan, ShowClock, remoteKey, sectionStarts, sectionTarget } from "./plan.js";
import { toggleFullscreen } from "./slide.js";

export class Remote {
  // root carries data-base, data-csrf, data-status, data-seq, data-index
  // and data-preview / data-can-present; onChange is awaited after every
  // change of state (a move, the name, a new deck), onError gets a
  // message to show, onReactions the room's emoji batches.
  constructor(root, { onChange, onError, onReactions } = {}) {
    this.root = root;
    this.base = root.dataset.base;
    this.csrf = root.dataset.csrf;
    this.preview = !!root.dataset.preview;
    this.canPresent = !!root.dataset.canPresent;
    this.onChange = onChange || (() => {});
    this.onError = onError || (() => {});
    this.onReactions = onReactions || (() => {});
    this.deck = null; // {version, slides}
    this.plan = new Plan([]);
    this.starts = [];
    this.clock = new ShowClock();
    this.state = { seq: Number(root.dataset.seq) || 0, status: root.dataset.status || "idle", index: Number(root.dataset.index) || 0, named: false };
    this.named = new Set(); // preview only: names revealed in this tab
    this.aim = null;
    this.inflight = false;
    this.refusals = 0;
  }

  get slides() {
    return this.deck?.slides || [];
  }

  current() {
    return this.slides[this.state.index];
  }

  // mayMove says this window moves the slides: a rehearsal, or a running
  // reveal for an owner or organizer.
  get mayMove() {
    return this.preview || (this.state.status === "live" && this.canPresent);
  }

  async loadDeck() {
    const res = await fetch(`${this.base}/deck.json${this.preview ? "?preview=1" : ""}`, { headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error(`deck: ${res.status}`);
    const data = await res.json();
    this.deck = { version: data.version, slides: data.slides || [] };
    this.plan = new Plan(this.deck.slides);
    this.starts = sectionStarts(this.deck.slides);
    this.clock.sync(data);
    // Keys pressed before the deck is here do nothing: say when it is.
    this.root.dataset.deck = String(data.version ?? 0);
    if (this.preview) {
      this.state = { seq: 0, status: "preview", index: 0, named: false };
    } else if (data.state.seq >= this.state.seq) {
      this.state = data.state;
      this.state.status = this.state.status || "idle";
    }
  }

  // apply takes a state from the server (an answer to a move, or the
  // stream) unless a newer one is already here.
  async apply(st) {
    if (!st || st.seq < this.state.seq) return;
    st.status = st.status || "idle";
    if (st.status !== this.state.status) {
      location.reload(); // started or ended elsewhere: the page changes shape
      return;
    }
    if (this.state.status !== "live") return;
    const d = this.deck;
    if (d && st.seq === this.state.seq && st.deck === d.version && st.index === this.state.index && st.named === this.state.named) return;
    if (!d || st.deck !== d.version) await this.loadDeck();
    if (st.seq >= this.state.seq) this.state = st;
    await this.onChange();
  }

  async post(action, body = {}) {
    const res = await fetch(`${this.base}/${action}`, {
      method: "POST",
      headers: { "X-CSRF-Token": this.csrf, Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
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
  // has answered the first; only one request is in flight at a time. Every
  // move is a goto with the index it aims at, so two windows (or the
  // timer and a key) sending the same move land on the same slide once.
  async pump() {
    if (this.inflight || this.aim === null) return;
    this.inflight = true;
    const target = this.aim;
    try {
      const st = await this.post("goto", { index: target });
      if (this.aim === target) this.aim = null;
      await this.apply(st);
    } catch (err) {
      this.aim = null;
      this.onError(err.message || "The move did not reach the server. Try again.");
    } finally {
      this.inflight = false;
    }
    this.pump();
  }

  go(to) {
    const n = this.slides.length;
    if (!n) return;
    to = Math.max(0, Math.min(n - 1, to));
    if (this.preview) {
      this.state.index = to;
      this.state.named = this.named.has(this.slides[to].key);
      this.onChange();
      return;
    }
    if (!this.mayMove) return;
    this.aim = to;
    this.pump();
  }

  step(delta) {
    this.go((this.aim ?? this.state.index) + delta);
  }

  // section jumps to the next part of the show (dir 1) or back to the
  // start of this one, then the one before (dir -1).
  section(dir) {
    const to = sectionTarget(this.starts, this.aim ?? this.state.index, dir);
    if (to !== null) this.go(to);
  }

  async toggleName() {
    const s = this.current();
    if (!s || !s.has_author) return;
    if (this.preview) {
      if (this.named.has(s.key)) this.named.delete(s.key); else this.named.add(s.key);
      this.state.named = this.named.has(s.key);
      this.onChange();
      return;
    }
    if (!this.mayMove) return;
    try {
      await this.apply(await this.post("name", { named: this.state.named ? "0" : "1" }));
    } catch (err) {
      this.onError(err.message);
    }
  }

  // follow keeps this window in step with the others and the phones. A
  // refused stream (too many tabs, a restart) is tried again later and
  // later (see follower.js), not every 3 s forever.
  follow() {
    const es = new EventSource(`${this.base}/stream`);
    es.addEventListener("open", () => { this.refusals = 0; });
    es.addEventListener("slide", (e) => {
      let st;
      try { st = JSON.parse(e.data); } catch { return; }
      this.apply(st).catch((err) => this.onError(err.message));
    });
    es.addEventListener("reactions", (e) => {
      let batch;
      try { batch = JSON.parse(e.data); } catch { return; }
      this.onReactions(batch);
    });
    es.addEventListener("error", () => {
      if (es.readyState === EventSource.CLOSED) {
        setTimeout(() => this.follow(), Math.min(3000 * 2 ** this.refusals++, 60000) * (0.75 + Math.random() / 2));
      }
    });
  }

  // start loads the deck (for a rehearsal or a running reveal), shows it
  // and follows the stream.
  start() {
    if (this.preview || this.state.status === "live") {
      this.loadDeck().then(() => this.onChange()).catch((err) => this.onError(`Could not load the deck: ${err.message}`));
    }
    if (!this.preview) this.follow();
  }
}

// bindControls gives a presenting window (the shared tab, the notes
// window) its keys and buttons: each runs the action of its name, the same
// in both windows but for notes (the shared tab opens the notes window;
// in the notes window it does nothing). Keys go to the overview while it
// is open, and never to a form field or a menu.
export function bindControls(root, remote, overview, { timer, say, notes }) {
  const actions = {
    next: () => remote.step(1),
    prev: () => remote.step(-1),
    nextSection: () => remote.section(1),
    prevSection: () => remote.section(-1),
    name: () => remote.toggleName(),
    overview: () => overview.toggle(remote.slides, remote.state.index),
    timer: () => timer.toggle(),
    fullscreen: () => toggleFullscreen(say),
    notes,
  };
  const keyActions = { ...actions, first: () => remote.go(0), last: () => remote.go(remote.slides.length - 1) };
  document.addEventListener("keydown", (e) => {
    if (e.target.closest?.("input, textarea, select, summary")) return;
    if (overview.isOpen) return; // the overview has its own keys
    const act = keyActions[remoteKey(e)];
    if (!act) return;
    // A focused button would also take Space/Enter as a click.
    e.preventDefault();
    act();
  });
  // The buttons: the script does what their forms (or links) would,
  // without a reload.
  for (const btn of root.querySelectorAll("[data-action]")) {
    btn.addEventListener("click", (e) => {
      const act = actions[btn.dataset.action];
      if (!act || (btn.form && !remote.deck)) return; // no deck yet: let the form post
      e.preventDefault();
      btn.blur();
      act();
    });
  }
}
