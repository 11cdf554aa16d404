// Tells the dashboard the organizer's time zone: organizers have no stored
// zone, so the browser's goes in a "tz" cookie that the server reads to
// print times. A page that printed times in another zone (first visit) is
// reloaded once; if the server does not know the zone, it keeps the event's.

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";

if (zone && /^[A-Za-z0-9_+\-/]+$/.test(zone)) {
  const had = document.cookie.split("; ").find((c) => c.startsWith("tz="))?.slice(3);
  if (had !== zone) {
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `tz=${zone}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
    // Reload only if the cookie stuck (cookies may be off), and only once
    // per tab, so nothing can loop.
    const stuck = document.cookie.split("; ").includes(`tz=${zone}`);
    const shown = document.querySelector("[data-viewer-zone]");
    if (stuck && shown && shown.dataset.viewerZone !== zone && !sessionStorage.getItem("tz-reloaded")) {
      sessionStorage.setItem("tz-reloaded", "1");
      location.reload();
    }
  }
}
