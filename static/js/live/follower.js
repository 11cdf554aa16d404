// A phone following the reveal: the presenter's current slide, pushed over
// Server-Sent Events. EventSource reconnects by itself after a drop and
// sends the last state it had (Last-Event-ID); the server answers with the
// current one, so the phone catches up on whatever it missed. Earlier
// slides that were shown can be paged back through; later ones do not
// exist for phones until the presenter gets there.
//
// A mosaic's tiles open larger on a tap (TileView); without this script
// a photo tile is a link to the larger photo.
//
// Without this script the page reloads itself every few seconds.

import { messageSlide, renderSlide, whenReady } from "./slide.js";
import { isPreloaded, preloadPhotos } from "./preload.js";

// SETTLE_MS and SETTLE_SPREAD_MS: a slide whose photos were not fetched
// ahead (a presenter skipping through, a phone that just connected) waits
// SETTLE_MS plus a random pause of up to SETTLE_SPREAD_MS before asking
// for them, so that a company's phones ask over a third of a second
// instead of in the same millisecond: thousands at once kept the
// presenter's own request waiting behind them. While the presenter is
// skipping (this slide came less than SKIPPING_MS after the one before),
// the wait is SKIP_SETTLE_MS plus the spread: nobody looks at a photo
// shown for a moment, and a slide skipped past within the wait is never
// asked for at all, so a presenter skipping through a photo section costs
// the server only the photo they stop on. Photos fetched ahead (a
// presenter who stays on each slide) show at once, as before.
// cmd/livebench/strict.go models these: change them together.
const SETTLE_MS = 200;
const SETTLE_SPREAD_MS = 300;
const SKIPPING_MS = 1000;
const SKIP_SETTLE_MS = 1000;
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

// slidePhotos is what a slide puts on screen first: its photo, or a
// mosaic's first screenful of thumbnails (models/live.PreloadTiles).
const slidePhotos = (s) => [s.photo, ...(s.tiles || []).slice(0, 12).map((t) => t.thumb || t.photo)].filter(Boolean);


function start(root) {
  document.documentElement.classList.add("js");
  const stage = root.querySelector("[data-stage]");
  const conn = root.querySelector("[data-conn]");
  const nav = root.querySelector("[data-history]");
  const older = root.querySelector("[data-older]");
  const newer = root.querySelector("[data-newer]");
  const toLive = root.querySelector("[data-live]");
  const slidesURL = root.dataset.slides;

  const actions = new Actions(root);
  const tiles = new TileView(root, stage, actions.own);

  let state = { seq: Number(root.dataset.seq) || 0, status: root.dataset.status || "idle", index: Number(root.dataset.index) || 0 };
  let viewing = null; // the earlier slide being looked at; null follows live
  // liveKey is the live slide's key and changedAt when it came (see SKIPPING_MS).
  let liveKey = "";
  let changedAt = -Infinity;
  let token = 0;
  let connected = false;

  const message = (st) => st.status === "ended"
    ? messageSlide("That's a wrap!", "The reveal has ended. Thanks for playing.")
    : messageSlide("Starting soon", "Keep this page open: it follows the presenter's screen as soon as the reveal begins.", "The reveal");

  // show swaps the stage to slide s (or a message) once its photo is
  // decoded; a newer call wins over an older one still loading.
  async function show(s, named, st, skipping = false) {
    const t = ++token;
    if (s && slidePhotos(s).some((u) => !isPreloaded(u))) {
      await pause((skipping ? SKIP_SETTLE_MS : SETTLE_MS) + Math.random() * SETTLE_SPREAD_MS);
      if (t !== token) return;
    }
    const el = s ? renderSlide(s, named, { phone: true }) : message(st);
    tiles.enhance(el);
    retryPhotos(el, () => t === token);
    await whenReady(el, 6000);
    if (t !== token) return abandon(el);
    abandon(stage);
    stage.replaceChildren(el);
    root.dataset.key = s ? s.key : "";
  }

  function setConn() {
    conn.classList.remove("lost", "history");
    if (!connected) {
      conn.textContent = "Reconnecting…";
      conn.classList.add("lost");
    } else if (viewing !== null) {
      conn.textContent = "Earlier slide";
      conn.classList.add("history");
    } else {
      conn.textContent = state.status === "live" ? "Live" : "";
    }
  }

  function updateNav() {
    const live = state.status === "live" || state.status === "ended";
    nav.hidden = !live;
    root.classList.toggle("has-nav", live);
    const at = viewing ?? (state.status === "live" ? state.index : state.total || 0);
    older.disabled = at <= 0;
    newer.disabled = viewing === null;
    toLive.hidden = viewing === null;
    setConn();
  }

  async function apply(st) {
    if (!st || st.seq < state.seq) return;
    st.status = st.status || "idle";
    const same = st.seq === state.seq;
    state = st;
    preloadPhotos(st);
    root.dataset.seq = String(st.seq);
    updateNav();
    actions.update(st);
    const key = st.status === "live" && st.slide ? st.slide.key : "";
    const now = performance.now();
    const skipping = key !== liveKey && now - changedAt < SKIPPING_MS;
    if (key !== liveKey) {
      liveKey = key;
      changedAt = now;
    }
    if (viewing !== null || same) return;
    await show(st.status === "live" ? st.slide : null, st.named, st, skipping);
  }

  // Paging back: the server answers 404 for a slide never shown (skipped),
  // so step over those.
  async function page(from, dir) {
    for (let i = from, tries = 0; i >= 0 && tries < 20; i += dir, tries++) {
      if (state.status === "live" && i >= state.index) return backToLive();
      const res = await fetch(`${slidesURL}${i}`, { headers: { Accept: "application/json" } });
      if (res.ok) {
        viewing = i;
        updateNav();
        await show(await res.json(), true, state);
        return;
      }
      if (res.status !== 404) return;
    }
  }

  function backToLive() {
    viewing = null;
    updateNav();
    show(state.status === "live" ? state.slide : null, state.named, state);
  }

  older.addEventListener("click", () => page((viewing ?? (state.status === "live" ? state.index : state.total)) - 1, -1));
  newer.addEventListener("click", () => page(viewing + 1, 1));
  toLive.addEventListener("click", backToLive);

  let es = null;
  // A refused stream (429: too many tabs; 5xx: a restart) closes the
  // EventSource without saying why; trying again every few seconds from
  // every phone would keep the server busy refusing. Each refusal in a row
  // doubles the wait, up to a minute, with jitter so phones spread out.
  let refusals = 0;
  const retryDelay = () => Math.min(3000 * 2 ** refusals++, 60000) * (0.75 + Math.random() / 2);
  function connect() {
    es = new EventSource(root.dataset.stream);
    es.addEventListener("open", () => { connected = true; refusals = 0; setConn(); });
    es.addEventListener("slide", (e) => {
      connected = true;
      let st;
      try { st = JSON.parse(e.data); } catch { return; }
      apply(st);
    });
    es.addEventListener("error", () => {
      connected = false;
      setConn();
      // EventSource retries by itself unless the server refused outright.
      if (es.readyState === EventSource.CLOSED) {
        es = null;
        setTimeout(() => { if (!es) connect(); }, retryDelay());
      }
    });
  }
  // A phone waking from sleep may have lost the connection silently.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && (!es || es.readyState === EventSource.CLOSED)) connect();
  });

  connect();
  updateNav();
  tiles.enhance(stage);
  root.dataset.ready = "1";
}

// retryPhotos asks again for a slide's photos that did not come: under
// load the server sheds photo requests with a quick 503 (and a refused or
// reset connection looks the same to an <img>). Meanwhile the slide is on
// screen without the photo, saying it is on its way. Each phone waits a
// pause of its own, doubling after each miss, so that a company's phones
// do not all come back in the same second; once the slide is no longer
// the one wanted (current() false) the photo is not asked for again.
const RETRY_MS = 1500;
const RETRY_MAX_MS = 20000;
const RETRIES = 6;

function retryPhotos(el, current) {
  for (const img of el.querySelectorAll("img")) {
    const src = img.getAttribute("src");
    const box = img.closest(".photo-frame, .tile") || img.parentElement;
    let misses = 0;
    img.addEventListener("load", () => box.classList.remove("photo-waiting"));
    img.addEventListener("error", () => {
      if (!current() || !img.getAttribute("src")) return;
      box.classList.add("photo-waiting");
      if (misses >= RETRIES) return;
      const wait = Math.min(RETRY_MS * 2 ** misses++, RETRY_MAX_MS) * (0.5 + Math.random());
      setTimeout(() => { if (current()) img.src = src; }, wait);
    });
  }
}

// abandon stops the downloads of a slide's photos not loaded yet: a newer
// slide took its place, and the server need not send them.
function abandon(el) {
  for (const img of el.querySelectorAll("img")) {
    if (!img.complete) img.removeAttribute("src");
  }
}

// TileView shows one of a mosaic's answers over the page, larger: the
// phone rendition of a photo (the grid has thumbnails), or the whole of a
// text the tile cuts short, with the caption and the sender. A tap
// anywhere, Escape or the phone's back button closes it. It also marks the
// phone's own answers on a mosaic, with a button that scrolls to them: a
// mosaic is where everyone looks for theirs.
class TileView {
  constructor(root, stage, own) {
    this.own = own;
    this.dlg = root.querySelector("[data-tile-view]");
    if (!this.dlg || typeof this.dlg.showModal !== "function") return; // the links still open the photo
    this.photo = this.dlg.querySelector("[data-view-photo]");
    this.img = this.dlg.querySelector("[data-view-img]");
    this.text = this.dlg.querySelector("[data-view-text]");
    this.caption = this.dlg.querySelector("[data-view-caption]");
    this.name = this.dlg.querySelector("[data-view-name]");
    // pushed says an entry was added to the history for the open tile, so
    // that "back" closes it rather than leaving the page; leaving, that
    // the script went back past it and the browser has not got there yet
    // (history.back() is asynchronous: a tile opened meanwhile pushes its
    // entry once it has).
    this.pushed = false;
    this.leaving = false;
    stage.addEventListener("click", (e) => {
      const tile = e.target.closest("[data-tile]");
      if (!tile) return;
      e.preventDefault();
      this.open(tile);
    });
    stage.addEventListener("keydown", (e) => {
      const tile = e.target.closest("[data-tile]");
      if (!tile || tile.tagName === "A" || (e.key !== "Enter" && e.key !== " ")) return;
      e.preventDefault();
      this.open(tile);
    });
    this.dlg.addEventListener("click", () => this.dlg.close());
    this.dlg.addEventListener("close", () => {
      this.img.removeAttribute("src");
      if (this.pushed) {
        this.pushed = false;
        this.leaving = true;
        history.back();
      }
    });
    window.addEventListener("popstate", () => {
      if (this.leaving) {
        this.leaving = false;
        if (this.dlg.open) this.push();
        return;
      }
      if (!this.dlg.open) return;
      this.pushed = false;
      this.dlg.close();
    });
  }

  push() {
    history.pushState({ tileView: true }, "");
    this.pushed = true;
  }

  // enhance makes a slide's text tiles work as buttons (photo tiles are
  // links already) and marks the phone's own.
  enhance(el) {
    const mine = [...el.querySelectorAll("[data-submission]")].filter((li) => this.own.has(Number(li.dataset.submission)));
    for (const li of mine) li.classList.add("tile-own");
    const head = el.querySelector(".mosaic-head");
    if (mine.length && head && !head.querySelector("[data-find-mine]")) {
      const find = make("button", "find-mine", "Find yours ↓");
      find.type = "button";
      find.dataset.findMine = "";
      find.addEventListener("click", () => mine[0].scrollIntoView({ block: "center", behavior: "smooth" }));
      head.append(find);
    }
    if (!this.dlg) return;
    for (const t of el.querySelectorAll("div[data-tile]")) {
      t.setAttribute("role", "button");
      t.tabIndex = 0;
    }
  }

  open(tile) {
    const src = tile.getAttribute("href");
    this.photo.hidden = !src;
    this.text.hidden = !!src;
    this.dlg.classList.toggle("is-text", !src);
    if (src) {
      this.img.src = src;
      this.img.alt = tile.querySelector("img")?.alt || "";
    } else {
      this.text.textContent = tile.querySelector(".tile-quote")?.textContent || "";
    }
    const caption = tile.dataset.caption || "";
    this.caption.textContent = caption;
    this.caption.hidden = !caption;
    this.name.replaceChildren(tile.dataset.author || "");
    if (tile.dataset.detail) this.name.append(" ", make("span", "author-detail", `· ${tile.dataset.detail}`));
    this.dlg.showModal();
    if (!this.pushed && !this.leaving) this.push();
  }
}

const make = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
};

// Actions is the panel under the slide: emoji for the big screen, and on
// an answer that is not the phone's own, a vote for a favourite and a
// guess at the author while the name is hidden. It is rebuilt from each
// state the stream brings; what the phone chose comes from the ballot the
// page carried, kept up to date with each answer from the server.
class Actions {
  constructor(root) {
    this.panel = root.querySelector("[data-actions]");
    this.slot = root.querySelector("[data-act-slot]");
    this.note = root.querySelector("[data-act-note]");
    this.base = this.panel.dataset.base;
    this.csrf = this.panel.dataset.csrf;
    let ballot = null;
    try { ballot = JSON.parse(document.getElementById("ballot")?.textContent || "null"); } catch { /* below */ }
    this.ballot = { people: [], teams: [], own: [], votes: {}, guesses: {}, results: {}, ...(ballot || {}) };
    this.own = new Set(this.ballot.own || []);
    this.key = null;
    this.panel.querySelector("[data-react]").addEventListener("click", (e) => {
      const btn = e.target.closest("button[name=emoji]");
      if (!btn) return;
      e.preventDefault();
      this.react(btn);
    });
  }

  async post(action, body) {
    const res = await fetch(`${this.base}/${action}`, {
      method: "POST",
      headers: { "X-CSRF-Token": this.csrf, Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body),
    });
    let data = {};
    try { data = await res.json(); } catch { /* 204 */ }
    if (!res.ok) throw new Error(data.error || `The server refused (${res.status}).`);
    return data;
  }

  say(msg, bad) {
    this.note.textContent = msg || "";
    this.note.classList.toggle("bad", !!bad);
  }

  async react(btn) {
    // Float it here at once: the big screen shows it a moment later.
    const f = make("span", "float-emoji", btn.value);
    f.style.left = `${btn.offsetLeft + btn.offsetWidth / 2}px`;
    f.addEventListener("animationend", () => f.remove());
    btn.parentElement.append(f);
    try {
      await this.post("react", { emoji: btn.value });
      if (this.note.classList.contains("bad")) this.say("");
    } catch (err) {
      f.remove();
      this.say(err.message, true);
    }
  }

  // update shows what the phone may do on the slide in state st.
  update(st) {
    const live = st.status === "live";
    this.panel.hidden = !live;
    const s = live ? st.slide : null;
    const key = s ? `${s.key}|${st.named}|${s.voting_open}` : "";
    if (key === this.key) return;
    // A new slide: last slide's "Vote saved" no longer applies; nor does
    // "Guess saved" once the name is out.
    if (this.key !== null && (s?.key !== this.slideKey || st.named)) this.say("");
    this.slideKey = s?.key;
    this.key = key;
    this.slot.replaceChildren();
    if (!s || !s.submission_id || s.kind === "award" || this.own.has(s.submission_id)) return;
    if (s.has_author && st.named) {
      const result = this.guessResult(s);
      if (result) this.slot.append(result);
    }
    if (s.has_author && !st.named) this.slot.append(this.guessForm(s));
    if (s.voting_open) this.slot.append(this.voteButton(s));
  }

  // guessResult says how the phone's guess on s went, now that its
  // author is out; null if it did not guess. The page's ballot knows for
  // answers named before it loaded; for one named now, the slide carries
  // the author's id (a person's, or a team's for a team answer), so every
  // phone works it out from the one message they all get, without asking
  // the server.
  guessResult(s) {
    const id = String(s.submission_id);
    const who = this.ballot.guesses[id];
    if (!who) return null;
    const list = (s.team_answer ? this.ballot.teams : this.ballot.people) || [];
    const name = list.find((p) => p.id === who)?.name || "";
    let right = this.ballot.results[id];
    if (right === undefined) right = s.author_id ? who === s.author_id : !!name && name.toLowerCase() === (s.author || "").toLowerCase();
    const p = make("p", `guess-result ${right ? "right" : "wrong"}`, right ? "You guessed right!" : `Not this time — you guessed ${name}`);
    p.dataset.guessResult = right ? "right" : "wrong";
    return p;
  }

  guessForm(s) {
    const form = make("form", "guess-form");
    const label = make("label", "", s.team_answer ? "Which team sent it? " : "Whose is it? ");
    const select = make("select");
    select.name = s.team_answer ? "team" : "person";
    select.required = true;
    const pick = make("option", "", "Pick…");
    pick.value = "";
    select.append(pick);
    const guessed = this.ballot.guesses[String(s.submission_id)];
    for (const p of (s.team_answer ? this.ballot.teams : this.ballot.people) || []) {
      const o = make("option", "", p.name);
      o.value = String(p.id);
      o.selected = p.id === guessed;
      select.append(o);
    }
    label.append(select);
    const btn = make("button", "btn", guessed ? "Change guess" : "Guess");
    form.append(label, btn);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!select.value) return;
      btn.disabled = true;
      try {
        const data = await this.post("guess", { submission: s.submission_id, [select.name]: select.value });
        this.ballot.guesses[String(s.submission_id)] = Number(select.value);
        delete this.ballot.results[String(s.submission_id)];
        btn.textContent = "Change guess";
        this.say(data.message);
      } catch (err) {
        this.say(err.message, true);
      } finally {
        btn.disabled = false;
      }
    });
    return form;
  }

  voteButton(s) {
    const mine = () => Object.values(this.ballot.votes).includes(s.submission_id);
    const btn = make("button", "btn vote-btn");
    btn.type = "button";
    const paint = () => {
      const on = mine();
      btn.classList.toggle("voted", on);
      btn.disabled = on;
      btn.textContent = on ? "♥ Your favourite" : "♡ Make it my favourite";
    };
    paint();
    btn.addEventListener("click", async () => {
      btn.disabled = true;
      try {
        const data = await this.post("vote", { submission: s.submission_id });
        this.ballot.votes[String(data.prompt_id)] = data.submission_id;
        this.say(data.message);
      } catch (err) {
        this.say(err.message, true);
      }
      paint();
    });
    return btn;
  }
}

const root = document.querySelector("[data-follower]");
if (root) start(root);
