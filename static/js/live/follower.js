// A phone following the reveal: the presenter's current slide, pushed over
// Server-Sent Events. EventSource reconnects by itself after a drop and
// sends the last state it had (Last-Event-ID); the server answers with the
// current one, so the phone catches up on whatever it missed. Earlier
// slides that were shown can be paged back through; later ones do not
// exist for phones until the presenter gets there.
//
// Without this script the page reloads itself every few seconds.

import { messageSlide, renderSlide, whenReady } from "./slide.js";

const root = document.querySelector("[data-follower]");
if (root) start(root);

function start(root) {
  document.documentElement.classList.add("js");
  const stage = root.querySelector("[data-stage]");
  const conn = root.querySelector("[data-conn]");
  const nav = root.querySelector("[data-history]");
  const older = root.querySelector("[data-older]");
  const newer = root.querySelector("[data-newer]");
  const toLive = root.querySelector("[data-live]");
  const slidesURL = root.dataset.slides;

  let state = { seq: Number(root.dataset.seq) || 0, status: root.dataset.status || "idle", index: Number(root.dataset.index) || 0 };
  let viewing = null; // the earlier slide being looked at; null follows live
  let token = 0;
  let connected = false;

  const message = (st) => st.status === "ended"
    ? messageSlide("That's a wrap!", "The reveal has ended. Thanks for playing.")
    : messageSlide("Starting soon", "Keep this page open: it follows the presenter's screen as soon as the reveal begins.", "The reveal");

  // show swaps the stage to slide s (or a message) once its photo is
  // decoded; a newer call wins over an older one still loading.
  async function show(s, named, st) {
    const t = ++token;
    const el = s ? renderSlide(s, named) : message(st);
    await whenReady(el, 6000);
    if (t !== token) return;
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
    root.dataset.seq = String(st.seq);
    updateNav();
    if (viewing !== null || same) return;
    await show(st.status === "live" ? st.slide : null, st.named, st);
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
  function connect() {
    es = new EventSource(root.dataset.stream);
    es.addEventListener("open", () => { connected = true; setConn(); });
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
        setTimeout(() => { if (!es) connect(); }, 3000);
      }
    });
  }
  // A phone waking from sleep may have lost the connection silently.
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && (!es || es.readyState === EventSource.CLOSED)) connect();
  });

  connect();
  updateNav();
  root.dataset.ready = "1";
}
