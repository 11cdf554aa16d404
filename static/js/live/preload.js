// Photos coming up, fetched ahead. Each state the stream brings lists the
// photo URLs of the next few photo slides (a mosaic's first screenful of
// tiles), nearest first (models/live/preload.go); this fetches them in the
// background into the browser's cache. The server marks those URLs
// immutable (they name the photo's version), so when the slide comes its
// photo is on screen at once and the server is not asked again.
//
// Pacing. Every phone learns of a new photo in the same instant (the slide
// change), and a company's worth of phones asking at once is what made
// slide changes late. So a phone loads at most AT_ONCE photos at a time,
// and waits a random pause of up to SPREAD_MS before each: N phones ask
// for a slide change's new photo at about N / SPREAD_MS a second (625/s
// for 5,000 phones), flat over the slide, instead of N at once. SPREAD_MS
// stays under the shortest time a presenter spends on a slide (10-20 s),
// so the photo one change brings is in before the next; the window is
// three photo slides deep, so a photo is listed two or three changes
// before it shows, and a phone that just connected (three to fetch) has
// the nearest in time. Two at a time is for a mosaic: its dozen tiles
// come in about half a minute (two every SPREAD_MS / 2 on average), in
// the two or three slides before it, where one at a time took a minute
// and most phones still lacked some when it came up.
//
// cmd/livebench/preload.go models this pacing with the same constants:
// change them together.
export const SPREAD_MS = 8000;
export const AT_ONCE = 2;

// KEEP bounds the URLs remembered as fetched (strings only: the bytes
// are in the browser's cache, not held here).
const KEEP = 200;

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

// PhotoPreloader fetches the photos it is told about, paced as above.
export class PhotoPreloader {
  constructor(spreadMs = SPREAD_MS, atOnce = AT_ONCE) {
    this.spreadMs = spreadMs;
    this.atOnce = atOnce;
    this.wanted = [];
    this.loading = new Set();
    this.fetched = new Set(); // loaded, or refused: not asked again
    this.lanes = 0;
  }

  // next is the nearest photo wanted that is neither loaded nor loading.
  next() {
    return this.wanted.find((u) => !this.fetched.has(u) && !this.loading.has(u));
  }

  // want replaces the photos to fetch with urls (nearest first): a newer
  // state's list wins, and a photo whose slide is now on screen drops out
  // (the slide loads it itself).
  want(urls) {
    this.wanted = (urls || []).filter((u) => !this.fetched.has(u));
    const todo = this.wanted.filter((u) => !this.loading.has(u)).length;
    while (this.lanes < this.atOnce && this.lanes < todo) this.lane();
  }

  // lane loads photos one after another, each after its pause, until
  // none is left.
  async lane() {
    this.lanes++;
    try {
      for (;;) {
        await pause(Math.random() * this.spreadMs);
        // The list may have changed during the pause: take its nearest.
        const url = this.next();
        if (!url) break;
        this.loading.add(url);
        await this.fetch(url);
        this.loading.delete(url);
      }
    } finally {
      this.lanes--;
    }
  }

  // fetch loads url as an image (the slide's <img> then finds it in the
  // cache, or joins this request if it is still under way). A photo the
  // server refuses (hidden meanwhile) or that fails is not asked again
  // here: its slide tries once more when it shows.
  fetch(url) {
    return new Promise((resolve) => {
      const img = new Image();
      const done = () => {
        this.fetched.add(url);
        if (this.fetched.size > KEEP) this.fetched.delete(this.fetched.values().next().value);
        resolve();
      };
      img.addEventListener("load", done, { once: true });
      img.addEventListener("error", done, { once: true });
      img.src = url;
    });
  }
}

const preloader = new PhotoPreloader();

// isPreloaded says whether url was fetched ahead (or refused: asked once).
export function isPreloaded(url) {
  return preloader.fetched.has(url);
}

// preloadPhotos fetches, paced, the photos of the slides coming up that a
// follower state st lists (none once the reveal is not live).
export function preloadPhotos(st) {
  preloader.want(st && st.status === "live" ? st.preload : []);
}
