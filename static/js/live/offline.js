// The offline copy of the reveal: the presenter's keys over the deck saved
// in the page, with no server at all (no fetch, no stream, no external
// URL; the photos are files beside index.html). This window is the one
// shared on the call, so N opens the presenter notes in a window of their
// own (NotesWindow, below), as the live presenter does.
//
// This file is never loaded on its own. handlers/live/offline.go puts
// slide.js and then this file into one inline module script of the zip's
// index.html, so slide.js's functions (renderSlide, describeSlide,
// presenterKey, …) and Preloader are in scope: Chromium refuses module scripts and imports
// from file://, and an inline script is all that runs there.

function startOffline(root) {
  document.documentElement.classList.add("js");
  const stage = root.querySelector("[data-stage]");
  const counter = root.querySelector("[data-counter]");
  const controls = root.querySelector("[data-controls]");
  let banner = root.querySelector("[data-banner]");
  const preloader = new Preloader();

  let slides = [];
  try {
    slides = JSON.parse(document.getElementById("deck").textContent).slides || [];
  } catch {
    stage.replaceChildren(messageSlide("This copy is damaged", "Download the deck again from the dashboard."));
    return;
  }
  // Names are hidden until R, per slide, as in the live presenter; going
  // back to a slide keeps its name as it was.
  const named = new Set();
  let index = 0;
  let shownKey = "";
  let renderToken = 0;
  let startedAt = 0; // when the first move was made: the notes' clock

  // The slide number in the address (#5) keeps the place across a reload.
  const fromHash = Number(location.hash.slice(1));
  if (Number.isInteger(fromHash) && fromHash >= 1 && fromHash <= slides.length) index = fromHash - 1;

  // say puts a message where the banner was, for a few seconds: never
  // anything over the slide for longer.
  function say(msg) {
    const fresh = banner.cloneNode(false); // a new element restarts the fade
    fresh.textContent = msg;
    fresh.hidden = false;
    fresh.classList.add("said");
    banner.replaceWith(fresh);
    banner = fresh;
  }

  function updateNotes() {
    const cur = slides[index];
    const isNamed = !!cur && named.has(cur.key);
    notes.show({
      counter: counter.textContent,
      now: cur ? `Now: ${describeSlide(cur)}${cur.has_author ? (isNamed ? " · name revealed" : " · name hidden (R)") : ""}` : "",
      nowPhoto: cur?.kind === "photo" ? cur.photo : "",
      next: `Next: ${describeSlide(slides[index + 1])}`,
      nextPhoto: slides[index + 1]?.kind === "photo" ? slides[index + 1].photo : "",
      later: slides.slice(index + 2, index + 7).map((s, i) => [index + 3 + i, describeSlide(s)]),
    });
  }

  function updateChrome() {
    counter.textContent = slides.length ? `${index + 1} / ${slides.length}` : "";
    updateNotes();
    for (const i of [1, 2, 3, -1]) preloader.add(slides[index + i]?.photo);
    history.replaceState(null, "", `#${index + 1}`);
  }

  async function render() {
    const token = ++renderToken;
    const s = slides[index];
    if (!s) {
      stage.replaceChildren(messageSlide("The deck is empty", "There was nothing to show when this copy was saved."));
      return;
    }
    const isNamed = named.has(s.key);
    if (s.key === shownKey) {
      // Same slide: only the name line changes (no flicker).
      const p = stage.querySelector("[data-author]");
      if (p) {
        authorLine(p, s, isNamed);
        if (isNamed) p.classList.add("revealed");
      }
      updateChrome();
      return;
    }
    const el = renderSlide(s, isNamed);
    // The old slide stays until the photo is decoded: never a blank frame.
    await whenReady(el, 3000);
    if (token !== renderToken) return; // a newer move won
    stage.replaceChildren(el);
    root.dataset.on = s.kind;
    shownKey = s.key;
    updateChrome();
  }

  function go(to) {
    if (!slides.length) return;
    // The banner would cover the next slide's head line: the show is on.
    banner.hidden = true;
    startedAt ||= Date.now();
    index = Math.max(0, Math.min(slides.length - 1, to));
    render();
  }

  function toggleName() {
    const s = slides[index];
    if (!s || !s.has_author) return;
    if (named.has(s.key)) named.delete(s.key); else named.add(s.key);
    render();
  }

  const fullscreen = () => toggleFullscreen();

  // openNotes opens the notes window, or brings it forward.
  function openNotes() {
    const refused = notes.open();
    if (refused) {
      say(refused);
      return;
    }
    updateNotes();
    tickNotes();
  }

  function tickNotes() {
    notes.tick(startedAt ? clockText(Date.now() - startedAt) : "00:00");
  }
  setInterval(tickNotes, 1000);
  addEventListener("pagehide", () => notes.close());

  const actions = {
    next: () => go(index + 1),
    prev: () => go(index - 1),
    name: toggleName,
    fullscreen,
    notes: openNotes,
  };

  // The same keys as the live presenter (slide.js's presenterKey).
  const keyActions = { ...actions, first: () => go(0), last: () => go(slides.length - 1) };
  function onKey(e, acts) {
    const act = acts[presenterKey(e)];
    if (!act) return;
    // A focused button would also take Space/Enter as a click.
    e.preventDefault();
    act();
  }
  document.addEventListener("keydown", (e) => onKey(e, keyActions));
  // In the notes window the same keys move the slides; N and F there have
  // nothing to do (full screen belongs to the slides window).
  const notesKeys = { ...keyActions, notes: () => {}, fullscreen: () => {} };
  const notes = new NotesWindow(document.querySelector("template[data-notes-page]"), (e) => onKey(e, notesKeys), actions);

  controls.hidden = false;
  for (const btn of controls.querySelectorAll("[data-action]")) {
    btn.addEventListener("click", (e) => {
      e.preventDefault();
      btn.blur();
      actions[btn.dataset.action]?.();
    });
  }

  hideControlsWhenIdle(root);

  render();
  root.dataset.ready = "1";
}

// clockText is ms as "04:05", or "1:02:03" past the hour.
function clockText(ms) {
  const t = Math.floor(ms / 1000);
  const mm = String(Math.floor(t / 60) % 60).padStart(2, "0");
  const ss = String(t % 60).padStart(2, "0");
  return t >= 3600 ? `${Math.floor(t / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

// NotesWindow is the presenter notes in a window of their own, laid out
// as the live notes window (templates/pages/live/notes.html) is. It opens
// empty: an about:blank window shares this page's origin and CSP, so this
// script fills it from the page's <template data-notes-page> and listens
// to its keys and buttons itself (no script could be loaded there from
// file://). Its photos and stylesheet need absolute URLs: the CSP forbids
// a <base>.
class NotesWindow {
  // onKey gets the window's keydown events, actions[name] runs for its
  // buttons (data-action="name").
  constructor(tpl, onKey, actions) {
    this.tpl = tpl;
    this.onKey = onKey;
    this.actions = actions;
    this.win = null;
    this.el = {};
  }

  // open opens the window, or brings it forward. It returns why it could
  // not, or "".
  open() {
    const w = window.open("", "retreat-offline-notes", "popup,width=1280,height=800");
    if (!w) return "The browser blocked the notes window: allow pop-ups for this file, then press N again.";
    try {
      if (w !== this.win || !this.el.root?.isConnected) this.build(w);
    } catch {
      // A notes window this page cannot reach: one left open by this
      // file before a reload (each load of a file:// page is an origin of
      // its own), if pagehide did not get to close it.
      w.close();
      return "The old notes window was closed: press N again for a new one.";
    }
    w.focus();
    return "";
  }

  // close closes the window: once this page is gone (a reload), it is an
  // origin the next load cannot reach, and its keys would move nothing.
  close() {
    if (this.isOpen) this.win.close();
  }

  build(w) {
    const doc = w.document;
    const html = doc.createElement("html");
    html.lang = "en";
    html.className = "slideshow-root js";
    const head = doc.createElement("head");
    const title = doc.createElement("title");
    title.textContent = this.tpl.dataset.title;
    const css = doc.createElement("link");
    css.rel = "stylesheet";
    css.href = new URL("css/live.css", document.baseURI).href;
    head.append(title, css);
    const body = doc.createElement("body");
    body.className = "slideshow face-offline";
    body.append(doc.importNode(this.tpl.content, true));
    html.append(head, body);
    if (doc.documentElement) doc.documentElement.replaceWith(html);
    else doc.append(html);
    html.addEventListener("keydown", this.onKey);
    for (const btn of html.querySelectorAll("[data-action]")) {
      btn.addEventListener("click", () => {
        btn.blur();
        this.actions[btn.dataset.action]?.();
      });
    }
    const q = (sel) => html.querySelector(sel);
    this.win = w;
    this.el = {
      root: q("[data-notes-window]"), counter: q("[data-counter]"), elapsed: q("[data-elapsed]"),
      now: q("[data-note-now]"), next: q("[data-note-next]"),
      nowScreen: q("[data-screen=now]"), nextScreen: q("[data-screen=next]"),
      later: q("[data-later]"), laterHead: q("[data-later-head]"),
    };
  }

  get isOpen() {
    return !!this.win && !this.win.closed && !!this.el.root?.isConnected;
  }

  // show draws v (see updateNotes) if the window is open.
  show(v) {
    if (!this.isOpen) return;
    const e = this.el;
    e.counter.textContent = v.counter;
    e.now.textContent = v.now;
    e.next.textContent = v.next;
    photo(e.nowScreen, v.nowPhoto);
    photo(e.nextScreen, v.nextPhoto);
    const doc = e.root.ownerDocument;
    e.later.replaceChildren(...v.later.map(([n, text]) => {
      const li = doc.createElement("li");
      const num = doc.createElement("span");
      num.className = "np-num";
      num.textContent = String(n);
      li.append(num, text);
      return li;
    }));
    e.laterHead.hidden = !v.later.length;
  }

  tick(text) {
    if (this.isOpen) this.el.elapsed.textContent = text;
  }
}

// photo shows the photo at url (relative to this page) in box, or hides
// the box.
function photo(box, url) {
  box.hidden = !url;
  const img = box.querySelector("img");
  const abs = url ? new URL(url, document.baseURI).href : "";
  if (img.getAttribute("src") !== abs) {
    if (abs) img.src = abs;
    else img.removeAttribute("src");
  }
}

// Last: startOffline uses NotesWindow, which a class declaration defines
// only once it has run.
const offlineRoot = document.querySelector("[data-offline]");
if (offlineRoot) startOffline(offlineRoot);
