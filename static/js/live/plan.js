// The show plan, for the presenter tab and the notes window: how long each
// slide has on screen, where each part of the show (a prompt, the awards,
// a leaderboard) begins, what the notes say about a slide, and the clock
// that compares the time since the start with the plan.

import { describeSlide, presenterKey } from "./slide.js";

// PLAN_SECONDS is a slide's time on screen when the deck has no plan for
// it (seconds 0: a deck saved before slides carried their time; the
// builder now plans every slide, models/live/plan.go, whose times these
// follow).
export const PLAN_SECONDS = { cover: 15, prompt: 8, photo: 20, text: 20, mosaic: 15, award: 12, scores: 4 };
const OTHER_SECONDS = 15;

// plannedSeconds is slide s's time in the plan.
export function plannedSeconds(s) {
  if (!s) return 0;
  return s.seconds > 0 ? s.seconds : (PLAN_SECONDS[s.kind] ?? OTHER_SECONDS);
}

// Plan adds the slides' times up once per deck: at(i) is when slide i is
// due to come on screen, counted from the start.
export class Plan {
  constructor(slides) {
    this.starts = new Array(slides.length + 1);
    this.starts[0] = 0;
    for (let i = 0; i < slides.length; i++) this.starts[i + 1] = this.starts[i] + plannedSeconds(slides[i]);
    this.total = this.starts[slides.length];
    // estimated: no slide has a time of its own (the defaults only).
    this.estimated = !slides.some((s) => s.seconds > 0);
  }

  at(i) {
    return this.starts[Math.max(0, Math.min(i, this.starts.length - 1))];
  }
}

// opensSection reports whether slide i begins a part of the show: the
// cover, a prompt's title slide, the first award, a leaderboard.
export function opensSection(slides, i) {
  const s = slides[i];
  const prev = slides[i - 1];
  if (!prev) return true;
  switch (s.kind) {
    case "cover":
    case "prompt":
      return true;
    case "award":
      return prev.kind !== "award";
    case "scores":
      return prev.kind !== "scores" || prev.board !== s.board;
    default:
      return false;
  }
}

// sectionStarts lists the indexes of the slides that open a section.
export function sectionStarts(slides) {
  const out = [];
  for (let i = 0; i < slides.length; i++) if (opensSection(slides, i)) out.push(i);
  return out;
}

// sectionTarget is where "next prompt" (dir 1) or "previous prompt" (dir
// -1) goes from slide i: the next section's first slide, or the start of
// the section i is in (from its first slide, the one before). Null when
// there is none.
export function sectionTarget(starts, i, dir) {
  if (dir > 0) return starts.find((s) => s > i) ?? null;
  for (let k = starts.length - 1; k >= 0; k--) if (starts[k] < i) return starts[k];
  return null;
}

// sectionTitle names the section slide s opens, for the overview.
export function sectionTitle(s) {
  switch (s.kind) {
    case "cover": return s.title ? `Opening · ${s.title}` : "Opening";
    case "prompt": return `Prompt ${s.number} of ${s.of} · ${s.title}`;
    case "award": return "Awards";
    default: return s.title || s.kind;
  }
}

const answers = (n) => `${n} ${n === 1 ? "answer" : "answers"}`;

// noteFor is one line about slide s for the notes (presenter.go's nextNote
// says the same for the page without its script).
export function noteFor(s) {
  if (s?.kind === "mosaic") return `Mosaic: ${s.prompt || ""}, page ${s.page} of ${s.pages} (${answers(s.tiles?.length || 0)})`;
  return describeSlide(s);
}

// mosaicLine is a mosaic's place and size: "page 2 of 3 · 42 answers".
export function mosaicLine(s) {
  return `page ${s.page || 1} of ${s.pages || 1} · ${answers(s.tiles?.length || 0)}`;
}

// clockText is 07:42 (or 1:02:03 past an hour).
export function clockText(sec) {
  const t = Math.max(0, Math.floor(sec));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${String(m).padStart(2, "0")}:${s}`;
}

// spanText is a gap in the plan: "28 s", or "1:05" from a minute.
function spanText(sec) {
  const t = Math.round(Math.abs(sec));
  if (t < 60) return `${t} s`;
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, "0")}`;
}

// ShowClock counts the time since the reveal started by the server's
// clock (a laptop's may be off by minutes): sync takes the server's "now"
// and "started_at" from deck.json.
export class ShowClock {
  constructor() {
    this.offset = 0;
    this.started = null;
  }

  sync(data) {
    const now = Date.parse(data.now);
    if (!Number.isNaN(now)) this.offset = now - Date.now();
    const started = Date.parse(data.started_at);
    // A rehearsal (no start) counts from when it was opened.
    this.started = Number.isNaN(started) ? (this.started ?? Date.now() + this.offset) : started;
  }

  elapsed() {
    return this.started === null ? 0 : (Date.now() + this.offset - this.started) / 1000;
  }
}

// standing compares elapsed seconds with the plan on slide i: ahead while
// the slide is due later, on time during its own planned time, behind
// after it. It returns the words and a class ("ahead", "on", "behind").
export function standing(plan, i, elapsed, slide) {
  const due = plan.at(i);
  const end = due + plannedSeconds(slide);
  if (elapsed < due) return { text: `${spanText(due - elapsed)} ahead`, cls: "ahead" };
  if (elapsed <= end) return { text: "on time", cls: "on" };
  return { text: `${spanText(elapsed - end)} behind`, cls: "behind" };
}

// clockLines is what a clock shows on slide i: the time since the start,
// when the plan has this slide come on screen, how far ahead or behind
// that is, and the show's planned length.
export function clockLines(plan, i, elapsed, slide) {
  elapsed = Math.max(0, Math.floor(elapsed)); // whole seconds, as shown
  const st = standing(plan, i, elapsed, slide);
  return {
    elapsed: clockText(elapsed),
    plan: clockText(plan.at(i)),
    standing: st.text,
    cls: st.cls,
    total: clockText(plan.total),
    estimated: plan.estimated,
  };
}

// remoteKey names what a key does in the presenter tab and the notes
// window: the clicker keys of presenterKey, and the presenter tools
// (sections, overview, timer). Null for other keys.
export function remoteKey(e) {
  if (e.altKey || e.ctrlKey || e.metaKey) return null;
  if (e.shiftKey) {
    if (e.key === "ArrowRight" || e.key === "ArrowDown") return "nextSection";
    if (e.key === "ArrowLeft" || e.key === "ArrowUp") return "prevSection";
  }
  switch (e.key) {
    case "]": return "nextSection";
    case "[": return "prevSection";
    case "o": case "O": case "g": case "G": return "overview";
    case "t": case "T": return "timer";
    default: return presenterKey(e);
  }
}
