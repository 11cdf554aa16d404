// The slide overview (O or G): every slide of the deck in a grid grouped
// by part of the show, the one on screen marked; click, or Enter on the
// focused one, jumps there; arrows move between them; Escape closes.
//
// It is built once per deck (hundreds of slides: plain buttons, photos as
// lazy thumbnails, so only the ones scrolled into view load) and only
// re-marked as the slides move. On the presenter tab, which the call sees,
// it leaves out the names and blurs the photos still to come (spoilers);
// the notes window shows everything.

import { mosaicLine, opensSection, sectionTitle } from "./plan.js";

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null && text !== "") e.textContent = text;
  return e;
};

const kindNames = { cover: "Cover", prompt: "Prompt", photo: "Photo", text: "Text", mosaic: "Mosaic", award: "Award", scores: "Scores" };

export class Overview {
  // dialog is the <dialog data-overview> of the page, with a [data-ov-body]
  // to fill and a [data-close] button; onPick(index) jumps. shared: this
  // window is on the call (no names, upcoming photos blurred).
  constructor(dialog, { onPick, shared = false }) {
    this.dialog = dialog;
    this.body = dialog.querySelector("[data-ov-body]");
    this.onPick = onPick;
    this.shared = shared;
    this.slides = null;
    this.items = [];
    this.index = -1;
    dialog.querySelector("[data-close]")?.addEventListener("click", () => this.close());
    dialog.addEventListener("click", (e) => {
      const b = e.target.closest("[data-ov-index]");
      if (b) {
        this.close();
        this.onPick(Number(b.dataset.ovIndex));
      } else if (e.target === dialog) {
        this.close(); // a click on the backdrop
      }
    });
    dialog.addEventListener("keydown", (e) => this.key(e));
  }

  get isOpen() {
    return this.dialog.open;
  }

  toggle(slides, index) {
    if (this.isOpen) this.close(); else this.open(slides, index);
  }

  open(slides, index) {
    if (!slides || !slides.length) return;
    if (slides !== this.slides) this.build(slides);
    this.mark(index);
    this.dialog.showModal();
    const cur = this.items[index];
    if (cur) {
      cur.focus({ preventScroll: true });
      cur.scrollIntoView({ block: "center" });
    }
  }

  close() {
    if (this.isOpen) this.dialog.close();
  }

  // sync follows the reveal: a new deck (a refresh) is rebuilt at once if
  // the overview is open (else when it next opens), and the slide on
  // screen is marked.
  sync(slides, index) {
    if (this.isOpen && slides !== this.slides && slides.length) this.build(slides);
    this.mark(index);
  }

  // mark highlights the slide on screen (and, on the shared tab, unblurs
  // what the room has now seen).
  mark(index) {
    if (!this.slides) return;
    const prev = this.items[this.index];
    if (prev) prev.removeAttribute("aria-current");
    this.index = index;
    const cur = this.items[index];
    if (cur) cur.setAttribute("aria-current", "true");
    if (this.shared) {
      for (let i = 0; i < this.items.length; i++) this.items[i].classList.toggle("ov-ahead", i > index);
    }
  }

  build(slides) {
    this.slides = slides;
    this.items = new Array(slides.length);
    const frag = document.createDocumentFragment();
    let grid = null;
    let count = null;
    let n = 0;
    for (let i = 0; i < slides.length; i++) {
      if (opensSection(slides, i)) {
        if (count) count.textContent = `${n} ${n === 1 ? "slide" : "slides"}`;
        const group = el("section", "ov-group");
        const h = el("h3", "ov-head", sectionTitle(slides[i]));
        count = el("span", "ov-count");
        h.append(" ", count);
        grid = el("ol", "ov-grid");
        group.append(h, grid);
        frag.append(group);
        n = 0;
      }
      const li = el("li");
      const b = this.item(slides[i], i);
      this.items[i] = b;
      li.append(b);
      grid.append(li);
      n++;
    }
    if (count) count.textContent = `${n} ${n === 1 ? "slide" : "slides"}`;
    this.body.replaceChildren(frag);
    this.index = -1;
  }

  item(s, i) {
    const b = el("button", `ov-item kind-${s.kind}`);
    b.type = "button";
    b.dataset.ovIndex = String(i);
    const face = el("span", "ov-face");
    if (s.thumb) {
      const img = el("img", "ov-thumb");
      img.alt = "";
      img.loading = "lazy"; // before src: hundreds of slides, only the visible ones load
      img.decoding = "async";
      img.src = s.thumb;
      face.append(img);
    } else {
      face.append(el("span", "ov-face-text", this.faceText(s)));
    }
    const meta = el("span", "ov-meta");
    meta.append(el("span", "ov-num", String(i + 1)), el("span", "ov-kind", kindNames[s.kind] || s.kind));
    b.append(face, meta, el("span", "ov-line", this.line(s)));
    b.title = `${i + 1}. ${kindNames[s.kind] || s.kind}: ${this.line(s)}`;
    return b;
  }

  faceText(s) {
    switch (s.kind) {
      case "prompt": return s.title;
      case "text": return s.text;
      case "mosaic": { const n = s.tiles?.length || 0; return `${n} ${n === 1 ? "answer" : "answers"}`; }
      case "scores": return `${s.rows?.length || 0} of ${(s.rows?.length || 0) + (s.hidden_rows || 0)} rows`;
      default: return s.title || "";
    }
  }

  line(s) {
    const by = !this.shared && s.author ? `by ${s.author}` : "";
    switch (s.kind) {
      case "photo":
      case "text": return [by, s.caption].filter(Boolean).join(" · ") || `${s.number} of ${s.of}`;
      case "mosaic": return mosaicLine(s);
      case "prompt": return `${s.answers || 0} ${s.answers === 1 ? "answer" : "answers"}`;
      case "award": return s.subtitle || s.title || "";
      default: return s.subtitle || s.title || "";
    }
  }

  // key moves the focus through the grid: arrows (up and down to the
  // nearest slide in the row above or below), Home and End; O or G
  // closes, as Escape does (the dialog's own).
  key(e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const at = this.items.indexOf(document.activeElement);
    let to = null;
    switch (e.key) {
      case "ArrowRight": to = at + 1; break;
      case "ArrowLeft": to = at - 1; break;
      case "ArrowDown": to = this.vertical(at, 1); break;
      case "ArrowUp": to = this.vertical(at, -1); break;
      case "Home": to = 0; break;
      case "End": to = this.items.length - 1; break;
      case "o": case "O": case "g": case "G":
        e.preventDefault();
        e.stopPropagation(); // the page's own O would open it again
        this.close();
        return;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
    if (at < 0) to = Math.max(0, this.index);
    to = Math.max(0, Math.min(this.items.length - 1, to));
    this.items[to]?.focus();
  }

  // vertical finds the slide in the next row (dir 1) or the one before
  // (-1) nearest in x to slide at: a walk along the slides, stopping a
  // row further on, so it costs a row's worth of layout reads.
  vertical(at, dir) {
    if (at < 0) return at;
    const r = this.items[at].getBoundingClientRect();
    const x = r.left + r.width / 2;
    let rowTop = null;
    let best = null;
    let bestDx = Infinity;
    for (let j = at + dir; j >= 0 && j < this.items.length; j += dir) {
      const q = this.items[j].getBoundingClientRect();
      const top = Math.round(q.top);
      if (top === Math.round(r.top)) continue;
      if (rowTop === null) rowTop = top;
      if (top !== rowTop) break;
      const dx = Math.abs(q.left + q.width / 2 - x);
      if (dx < bestDx) {
        bestDx = dx;
        best = j;
      }
    }
    return best ?? at;
  }
}
