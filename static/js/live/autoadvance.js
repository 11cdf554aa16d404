// The timer that moves through mosaic pages by itself (T, or the timer
// button, in the presenter tab or the notes window). While it is on, a
// mosaic slide stays on screen for its planned seconds and then the next
// slide comes; on any other kind of slide it waits for the presenter. T
// again pauses it, keeping what was left of the countdown.
//
// One window runs it: the one that turned it on (the owner). The others
// hear about it on a BroadcastChannel and draw the same countdown; T in
// them asks the owner to pause or resume. The owner moves with a goto to
// the index after the one it counted, and only if that slide is still on
// screen, so a key pressed at the same moment (or a second owner in
// another browser) lands on the same slide rather than one further.

import { plannedSeconds } from "./plan.js";

const HEARTBEAT = 1000;
const OWNER_GONE = 3500;

export class AutoAdvance {
  // remote is the window's Remote; onUpdate(view) redraws the timer.
  constructor(remote, { onUpdate }) {
    this.remote = remote;
    this.onUpdate = onUpdate || (() => {});
    this.me = Math.random().toString(36).slice(2);
    this.owner = null; // the window running it, this one or another
    this.heard = 0; // when the owner last spoke (another window)
    this.on = false;
    this.key = ""; // the slide counted
    this.index = -1;
    this.deadline = null; // when the mosaic on screen moves on (ms)
    this.remaining = null; // ms left when paused on a mosaic
    this.total = null; // the mosaic's planned ms
    this.channel = null;
    if ("BroadcastChannel" in window) {
      this.channel = new BroadcastChannel(`retreat-timer:${remote.base}${remote.preview ? ":preview" : ""}`);
      this.channel.onmessage = (e) => this.hear(e.data);
      this.channel.postMessage({ t: "hello", from: this.me });
    }
    addEventListener("pagehide", () => {
      if (this.owner === this.me) this.say({ gone: true });
    });
    setInterval(() => this.tick(), 200);
  }

  get mine() {
    return this.owner === this.me;
  }

  // view is what the timer buttons draw: state "off", "running" (counting
  // down), "waiting" (on, but this slide is not a mosaic) or "paused";
  // left and total in ms; elsewhere: another window runs it.
  view() {
    const s = this.remote.current();
    const mosaic = s?.kind === "mosaic";
    if (!this.owner) return { state: "off" };
    const elsewhere = !this.mine;
    if (!mosaic) return { state: this.on ? "waiting" : "paused", elsewhere };
    const total = this.total ?? plannedSeconds(s) * 1000;
    if (this.on && this.deadline !== null) return { state: "running", left: Math.max(0, this.deadline - Date.now()), total, elsewhere };
    return { state: this.on ? "waiting" : "paused", left: this.remaining ?? total, total, elsewhere };
  }

  // toggle turns the timer on (this window runs it), pauses it, or
  // resumes it; in a window that does not run it, it asks the owner.
  toggle() {
    if (!this.remote.mayMove) return;
    if (this.owner && !this.mine) {
      this.channel?.postMessage({ t: "toggle", from: this.me, to: this.owner });
      return;
    }
    if (this.on) {
      if (this.deadline !== null) this.remaining = Math.max(0, this.deadline - Date.now());
      this.deadline = null;
      this.on = false;
    } else {
      this.owner = this.me;
      this.on = true;
      this.count(false);
    }
    this.say();
    this.onUpdate(this.view());
  }

  // slideChanged is called once the window shows a new state.
  slideChanged() {
    const s = this.remote.current();
    if (!s || s.key === this.key) return;
    this.key = s.key;
    this.index = this.remote.state.index;
    this.remaining = null;
    this.deadline = null;
    this.total = s.kind === "mosaic" ? plannedSeconds(s) * 1000 : null;
    if (this.mine) {
      this.count(true);
      this.say();
    }
    this.onUpdate(this.view());
  }

  // count starts the countdown when the slide on screen is a mosaic; fresh
  // starts it from the top (a new slide), else from what was left.
  count(fresh) {
    const s = this.remote.current();
    if (!this.on || s?.kind !== "mosaic") return;
    this.key = s.key;
    this.index = this.remote.state.index;
    this.total = plannedSeconds(s) * 1000;
    const left = fresh || this.remaining === null ? this.total : this.remaining;
    this.deadline = Date.now() + left;
    this.remaining = null;
  }

  tick() {
    if (this.mine) {
      if (this.on && this.deadline !== null && Date.now() >= this.deadline) {
        this.deadline = null;
        const r = this.remote;
        // Still on the slide counted, and no move on its way: go on.
        if (r.state.index === this.index && r.current()?.key === this.key && r.aim === null) r.go(this.index + 1);
      }
      if (Date.now() - this.heard >= HEARTBEAT) this.say();
    } else if (this.owner && Date.now() - this.heard > OWNER_GONE) {
      this.reset(); // the owner's window closed without a word
    }
    if (this.owner) this.onUpdate(this.view());
  }

  reset() {
    this.owner = null;
    this.on = false;
    this.deadline = null;
    this.remaining = null;
    this.onUpdate(this.view());
  }

  say(extra = {}) {
    if (!this.mine || !this.channel) return;
    this.heard = Date.now();
    this.channel.postMessage({ t: "timer", from: this.me, on: this.on, key: this.key, deadline: this.deadline, remaining: this.remaining, total: this.total, ...extra });
  }

  hear(m) {
    if (!m || m.from === this.me) return;
    switch (m.t) {
      case "hello":
        if (this.mine) this.say();
        break;
      case "toggle":
        if (m.to === this.me) this.toggle();
        break;
      case "timer":
        if (m.gone) {
          if (this.owner === m.from) this.reset();
          return;
        }
        // The latest window to turn it on runs it: an owner hearing
        // another owner that is on hands over.
        if (this.mine && this.on && !m.on) return;
        this.owner = m.from;
        this.heard = Date.now();
        this.on = m.on;
        this.deadline = m.key === this.remote.current()?.key ? m.deadline : null;
        this.remaining = m.remaining;
        this.total = m.total;
        this.onUpdate(this.view());
        break;
    }
  }
}

// drawTimer shows view on a timer button: its ring (--p, the share of the
// countdown left) and its label.
export function drawTimer(btn, view) {
  if (!btn) return;
  const label = btn.querySelector("[data-timer-label]");
  btn.dataset.timer = view.state;
  btn.setAttribute("aria-pressed", String(view.state === "running" || view.state === "waiting"));
  const p = view.total ? Math.max(0, Math.min(1, view.left / view.total)) : view.state === "off" ? 0 : 1;
  btn.style.setProperty("--p", p.toFixed(3));
  const secs = view.left !== undefined ? Math.ceil(view.left / 1000) : null;
  let text;
  switch (view.state) {
    case "running": text = `Auto ${secs} s`; break;
    case "waiting": text = "Auto on"; break;
    case "paused": text = secs !== null ? `Paused ${secs} s` : "Paused"; break;
    default: text = "Auto";
  }
  if (label && label.textContent !== text) label.textContent = text;
  btn.title = view.state === "off"
    ? "Move through mosaic pages by their planned time (T)"
    : `${view.elsewhere ? "Run by your other presenter window. " : ""}T pauses or resumes it`;
}
