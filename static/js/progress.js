// Keeps the progress page's activity feed current: asks the server for
// answers newer than the last one shown every few seconds (less often
// while the tab is in the background) and puts them on top.
//   [data-feed]         the list; data-feed-url, data-after (last id shown)
//   [data-feed-empty]   the "no answers yet" line, hidden once one arrives
//   [data-feed-status]  says whether updates are flowing

const feed = document.querySelector("[data-feed]");
const FAST = 5000;
const SLOW = 30000;
const KEEP = 50;

if (feed) {
  const empty = document.querySelector("[data-feed-empty]");
  const status = document.querySelector("[data-feed-status]");
  let after = feed.dataset.after || "0";
  let timer = 0;
  let busy = false;

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  };

  const render = (it) => {
    const li = el("li", "feed-item fresh" + (it.hidden ? " is-hidden" : ""));
    const a = el("a");
    a.href = it.url;
    if (it.thumb_url) {
      const img = el("img");
      img.src = it.thumb_url;
      img.alt = "";
      img.width = 48;
      img.height = 48;
      a.append(img);
    } else {
      const icon = el("span", "feed-icon", "✍️");
      icon.setAttribute("aria-hidden", "true");
      a.append(icon);
    }
    const body = el("span", "feed-body");
    const line = el("span");
    line.append(el("strong", "", it.name), " answered ", el("em", "", it.prompt));
    body.append(line);
    if (it.text) body.append(el("span", "feed-snippet", it.text));
    const meta = el("span", "meta", it.when);
    if (it.late) {
      const badge = el("span", "badge late", "late");
      if (it.late_note) badge.title = it.late_note;
      meta.append(" · ", badge);
    }
    if (it.hidden) meta.append(" · hidden");
    body.append(meta);
    a.append(body);
    li.append(a);
    return li;
  };

  const setStatus = (text, stale) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("stale", stale);
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(poll, document.hidden ? SLOW : FAST);
  };

  async function poll() {
    if (busy) return;
    busy = true;
    try {
      const res = await fetch(`${feed.dataset.feedUrl}?after=${encodeURIComponent(after)}`, {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      if (res.status === 401 || res.status === 404) {
        setStatus("stopped: reload the page", true);
        return; // signed out or the event is gone: stop asking
      }
      if (!res.ok) throw new Error(String(res.status));
      const data = await res.json();
      for (const it of [...data.items].reverse()) feed.prepend(render(it));
      while (feed.children.length > KEEP) feed.lastElementChild.remove();
      if (data.items.length && empty) empty.hidden = true;
      after = String(data.last_id);
      feed.dataset.after = after;
      setStatus("updates by itself", false);
    } catch {
      setStatus("reconnecting…", true);
    } finally {
      busy = false;
    }
    schedule();
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) schedule();
    else poll();
  });
  schedule();
}
