// One slide of the reveal, built from its JSON: the same markup
// templates/partials/live_slide.html prints, so the server's first paint
// and every later slide look alike. User text only ever goes in through
// textContent.

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null && text !== "") e.textContent = text;
  return e;
};

// eyebrow, density, tileDensity, mosaicHeading and mosaicGrid match
// handlers/live/slides.go.
export function eyebrow(s) {
  switch (s.kind) {
    case "cover": return s.subtitle || "";
    case "prompt": return `Prompt ${s.number} of ${s.of}`;
    case "photo":
    case "text": return `${s.number} / ${s.of}`;
    case "mosaic": return s.pages > 1 ? `${s.page} of ${s.pages}` : "";
    default: return "";
  }
}

export function tileDensity(n) {
  if (n <= 12) return "tiles-few";
  if (n <= 60) return "tiles-some";
  return "tiles-many";
}

export function mosaicHeading(s) {
  if (!s.prompt) return [s.title || "", ""];
  return [s.prompt, s.title && s.title !== s.prompt ? s.title : ""];
}

// A mosaic's grid: the columns that make n tiles biggest in a box aspect
// times as wide as high, tiles close to TILE_ASPECT; the rows follow and
// the tiles stretch to fill the box. The server paints for SCREEN_ASPECT
// (a shared screen); fitMosaic then fits the grid to the box it is in.
const SCREEN_ASPECT = 1.8;
const TILE_ASPECT = 1.25;
const MAX_COLS = 40; // the most the stylesheet names (data-cols)

export function mosaicGrid(n, aspect) {
  let best = 1;
  let bestSize = 0;
  for (let cols = 1; cols <= Math.max(n, 1); cols++) {
    const rows = Math.ceil(n / cols);
    const size = Math.min(aspect / (cols * TILE_ASPECT), 1 / Math.max(rows, 1));
    if (size > bestSize + 1e-9) {
      best = cols;
      bestSize = size;
    }
  }
  return Math.min(best, MAX_COLS);
}

// fitMosaic keeps a mosaic's columns right for the box it is in, as the
// window (or full screen) changes its shape. Phones scroll a grid of their
// own and ignore it.
export function fitMosaic(grid) {
  if (!grid || grid.dataset.fitted || typeof ResizeObserver === "undefined") return;
  grid.dataset.fitted = "1";
  const n = grid.children.length;
  new ResizeObserver(() => {
    const w = grid.clientWidth;
    const h = grid.clientHeight;
    if (!w || !h) return;
    grid.style.setProperty("--cols", String(mosaicGrid(n, w / h)));
  }).observe(grid);
}

// PHONE_EAGER is how many tiles a phone loads before they are scrolled to
// (its first screenful); slides.go's phoneTilesEager.
const PHONE_EAGER = 9;

function mosaic(art, s, phone) {
  const tiles = s.tiles || [];
  const [title, sub] = mosaicHeading(s);
  const head = el("header", "slide-head mosaic-head");
  head.append(el("h1", "mosaic-title", title));
  if (sub) head.append(el("span", "mosaic-sub", sub));
  head.append(el("span", "slide-of", eyebrow(s)));
  const grid = el("ul", `mosaic ${tileDensity(tiles.length)}`);
  grid.dataset.mosaic = "";
  grid.dataset.cols = String(mosaicGrid(tiles.length, SCREEN_ASPECT));
  for (const [i, t] of tiles.entries()) {
    const li = el("li", `tile ${t.photo ? "tile-photo" : "tile-text"}`);
    li.dataset.submission = String(t.submission_id);
    const open = el(phone && t.photo ? "a" : "div", "tile-open");
    if (phone) {
      open.dataset.tile = String(i);
      open.dataset.author = t.author || "";
      open.dataset.detail = t.author_detail || "";
      if (t.photo) {
        open.href = t.photo;
        open.dataset.caption = t.caption || "";
      }
    }
    if (t.photo) {
      const img = el("img", "tile-img");
      img.alt = t.caption || `Photo by ${t.author}`;
      if (phone && i >= PHONE_EAGER) img.loading = "lazy";
      img.decoding = "async";
      img.src = t.thumb || t.photo;
      open.append(img);
    } else {
      open.append(el("p", "tile-quote", t.text));
    }
    open.append(el("span", "tile-name", t.author));
    li.append(open);
    grid.append(li);
  }
  art.append(head, grid);
  fitMosaic(grid);
}

export function density(rows) {
  if (rows <= 6) return "rows-few";
  if (rows <= 10) return "rows-some";
  return "rows-many";
}

// authorLine fills the name line: the name once revealed, a prompt to
// guess before.
export function authorLine(p, s, named) {
  p.className = "author";
  p.replaceChildren();
  if (named && s.author) {
    p.append(s.author);
    if (s.author_detail) p.append(" ", el("span", "author-detail", `· ${s.author_detail}`));
  } else {
    p.classList.add("guess");
    p.textContent = "Who sent this?";
  }
}

// tallyLine says how many guessed the author, once the name is out.
export function tallyLine(s) {
  const p = el("p", "guess-tally", `${s.guess_right || 0} of ${s.guesses} guessed right`);
  p.dataset.tally = "";
  return p;
}

// renderSlide returns a new slide element for s; named says whether its
// author is revealed. On a phone (opts.phone) a mosaic's tiles open larger
// and load as they are scrolled to.
export function renderSlide(s, named, opts = {}) {
  const art = el("article", `slide kind-${s.kind}`);
  art.dataset.slide = "";
  art.dataset.key = s.key;
  const center = () => {
    const c = el("div", "slide-center");
    art.append(c);
    return c;
  };
  switch (s.kind) {
    case "cover": {
      const c = center();
      c.append(el("p", "eyebrow", eyebrow(s)), el("h1", "slide-title fit-s", s.title));
      break;
    }
    case "prompt": {
      const c = center();
      c.append(el("p", "eyebrow", eyebrow(s)), el("h1", `slide-title fit-${s.fit || "m"}`, s.title));
      if (s.subtitle) c.append(el("p", "slide-sub", s.subtitle));
      const n = s.answers || 0;
      c.append(el("p", "slide-count", n ? `${n} ${n === 1 ? "answer" : "answers"}` : "No answers to this one"));
      break;
    }
    case "photo":
    case "text": {
      const head = el("header", "slide-head");
      head.append(el("span", "slide-prompt", s.prompt), el("span", "slide-of", (s.starred ? "★ " : "") + eyebrow(s)));
      art.append(head);
      if (s.kind === "photo") {
        const fig = el("figure", "photo-frame");
        const img = el("img", "photo");
        img.alt = s.caption || `A photo for ${s.prompt}`;
        img.decoding = "async";
        img.src = s.photo;
        fig.append(img);
        art.append(fig);
      } else {
        const frame = el("div", "text-frame");
        frame.append(el("blockquote", `text-answer fit-${s.fit || "m"}`, s.text));
        art.append(frame);
      }
      const foot = el("footer", "slide-foot");
      if (s.kind === "photo" && s.caption) foot.append(el("p", `caption fit-${s.fit || "m"}`, s.caption));
      if (s.has_author) {
        const p = el("p", "author");
        p.dataset.author = "";
        authorLine(p, s, named);
        foot.append(p);
      }
      if (named && s.guesses) foot.append(tallyLine(s));
      art.append(foot);
      break;
    }
    case "award": {
      const head = el("header", "award-head");
      head.append(el("p", "eyebrow", "Award"), el("h1", "award-title", s.title));
      if (s.subtitle) head.append(el("p", "slide-sub", s.subtitle));
      art.append(head);
      if (!s.decided) {
        art.append(el("p", "award-pending", "Decided when it comes on screen"));
        break;
      }
      const body = el("div", "award-body");
      if (s.photo) {
        const fig = el("figure", "photo-frame");
        const img = el("img", "photo");
        img.alt = s.caption || "The winning photo";
        img.decoding = "async";
        img.src = s.photo;
        fig.append(img);
        body.append(fig);
      } else if (s.text) {
        const frame = el("div", "text-frame");
        frame.append(el("blockquote", "text-answer", s.text));
        body.append(frame);
      }
      if (s.rows && s.rows.length) {
        const ol = el("ol", "winners");
        for (const r of s.rows) {
          const li = el("li", "winner" + (r.rank === 1 ? " first" : ""));
          const name = el("span", "name", r.name);
          if (r.detail) name.append(el("span", "detail", r.detail));
          const pts = el("span", "points");
          if (s.unit) pts.append(String(r.points), el("span", "unit", s.unit));
          li.append(el("span", "rank", String(r.rank)), name, pts);
          ol.append(li);
        }
        body.append(ol);
      }
      art.append(body);
      break;
    }
    case "mosaic": {
      mosaic(art, s, !!opts.phone);
      break;
    }
    case "scores": {
      const head = el("header", "board-head");
      head.append(el("h1", "board-title", s.title));
      if (s.subtitle) head.append(el("p", "slide-sub", s.subtitle));
      const rows = s.rows || [];
      const hidden = s.hidden_rows || 0;
      const ol = el("ol", `board ${density(rows.length + hidden)}`);
      for (let i = 0; i < hidden; i++) ol.append(el("li", "board-row pending"));
      for (const [i, r] of rows.entries()) {
        const li = el("li", "board-row" + (r.rank === 1 ? " first" : "") + (i === 0 ? " new" : ""));
        const name = el("span", "name", r.name);
        if (r.detail) name.append(" ", el("span", "detail", r.detail));
        li.append(el("span", "rank", String(r.rank)), name, el("span", "points", String(r.points)));
        ol.append(li);
      }
      art.append(head, ol);
      break;
    }
    default: {
      center().append(el("h1", "slide-title fit-m", s.title || ""));
    }
  }
  return art;
}

// messageSlide is a slide with a title and a line of text (waiting,
// ended, errors).
export function messageSlide(title, text, eyebrowText) {
  const art = el("section", "slide kind-message");
  const c = el("div", "slide-center");
  if (eyebrowText) c.append(el("p", "eyebrow", eyebrowText));
  c.append(el("h1", "slide-title fit-m", title));
  if (text) c.append(el("p", "slide-sub", text));
  art.append(c);
  return art;
}

// whenReady resolves once the slide's photos (a mosaic's tiles but those
// loaded only when scrolled to) are decoded, or after ms: the old slide
// stays on screen until then, so a change never shows a blank frame. A
// photo that fails to load does not hold the slide back.
export function whenReady(slide, ms) {
  const imgs = [...slide.querySelectorAll("img")].filter((img) => img.loading !== "lazy");
  if (!imgs.length) return Promise.resolve();
  const decoded = Promise.all(imgs.map((img) => (img.decode ? img.decode().catch(() => {}) : null)));
  return Promise.race([decoded, new Promise((r) => setTimeout(r, ms))]);
}

// Preloader keeps decoded copies of the photos coming up, so the browser
// has their bytes (and usually their pixels) before they are needed.
export class Preloader {
  constructor(limit = 12) {
    this.limit = limit;
    this.images = new Map();
  }

  add(url) {
    if (!url || this.images.has(url)) return;
    const img = new Image();
    img.decoding = "async";
    img.src = url;
    img.decode?.().catch(() => {});
    this.images.set(url, img);
    while (this.images.size > this.limit) {
      this.images.delete(this.images.keys().next().value);
    }
  }

  has(url) {
    const img = this.images.get(url);
    return !!img && img.complete && img.naturalWidth > 0;
  }
}

// describeSlide is one line about slide s for the presenter's notes.
export function describeSlide(s) {
  if (!s) return "The end of the deck.";
  switch (s.kind) {
    case "prompt": return `Prompt: ${s.title}`;
    case "photo": return `Photo by ${s.author}`;
    case "text": return `Answer by ${s.author}`;
    case "mosaic": {
      const n = (s.tiles || []).length;
      return `Mosaic: ${mosaicHeading(s)[0]}, ${n} ${n === 1 ? "answer" : "answers"}${s.pages > 1 ? ` (${s.page} of ${s.pages})` : ""}`;
    }
    case "award": return `Award: ${s.title}${s.subtitle ? ` (${s.subtitle})` : ""}${s.decided ? "" : ", decided when it comes on screen"}`;
    default: return s.title || s.kind;
  }
}

// presenterKey names what a key does in a presenter (live or offline):
// clickers send PageUp/PageDown, arrows, "." or "b". Null for other keys.
export function presenterKey(e) {
  if (e.altKey || e.ctrlKey || e.metaKey) return null;
  switch (e.key) {
    case "ArrowRight": case "ArrowDown": case "PageDown": case " ": case "Enter": return "next";
    case "ArrowLeft": case "ArrowUp": case "PageUp": case "Backspace": return "prev";
    case "Home": return "first";
    case "End": return "last";
    case "r": case "R": case ".": case "b": case "B": return "name";
    case "f": case "F": return "fullscreen";
    case "n": case "N": return "notes";
    default: return null;
  }
}

// toggleFullscreen enters full screen, or leaves it; refused sets off say.
export function toggleFullscreen(say) {
  if (document.fullscreenElement) document.exitFullscreen?.();
  else document.documentElement.requestFullscreen?.().catch(() => say?.("The browser refused full screen."));
}

// hideControlsWhenIdle shows root's controls while the mouse moves, then
// gets them out of the way (classes "pointer" and "idle").
export function hideControlsWhenIdle(root) {
  let idleTimer = 0;
  const wake = () => {
    root.classList.add("pointer");
    root.classList.remove("idle");
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (root.querySelector(".controls:hover")) return wake();
      root.classList.remove("pointer");
      root.classList.add("idle");
    }, 2500);
  };
  document.addEventListener("mousemove", wake);
}

// A mosaic the server painted (a page loaded while one is on screen) is
// fitted to its window like those built here.
for (const grid of document.querySelectorAll("[data-stage] [data-mosaic]")) fitMosaic(grid);
