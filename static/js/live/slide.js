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

// eyebrow and density match handlers/live/slides.go.
export function eyebrow(s) {
  switch (s.kind) {
    case "cover": return s.subtitle || "";
    case "prompt": return `Prompt ${s.number} of ${s.of}`;
    case "photo":
    case "text": return `${s.number} / ${s.of}`;
    default: return "";
  }
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
// author is revealed.
export function renderSlide(s, named) {
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

// whenReady resolves once the slide's photo (if any) is decoded, or after
// ms: the old slide stays on screen until then, so a change never shows a
// blank frame. A photo that fails to load does not hold the slide back.
export function whenReady(slide, ms) {
  const img = slide.querySelector("img");
  if (!img) return Promise.resolve();
  const decoded = img.decode ? img.decode().catch(() => {}) : Promise.resolve();
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
