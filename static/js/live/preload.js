// Photos coming up, fetched ahead. Each state the stream brings lists the
// photo URLs of the next few photo slides (a mosaic's first screenful of
// tiles), nearest first (models/live/preload.go); this fetches them in the
// background into the browser's cache. The server marks those URLs
// immutable (they name the photo's version), so when the slide comes its
// photo is on screen at once and the server is not asked again.
//
// Pacing. Every phone learns of a new photo in the same instant (the slide
// change), and a company's worth of phones asking at once is what made
// slide changes late. So a phone loads one photo at a time, and waits a
// random pause of up to SPREAD_MS before each: N phones ask for a new
// photo at about N / SPREAD_MS a second (625/s for 5,000 phones), flat
// over the slide, instead of N at once. SPREAD_MS stays under the shortest
// time a presenter spends on a slide (10-20 s), so the photos of one slide
// change are in before the next; the window is three photo slides deep,
// so a photo is listed two or three changes before it shows, and a phone
// that just connected (three to fetch) still has the nearest in time. A
// mosaic's dozen tiles take about a minute, at a quarter of a photo a
// second per phone.
//
// cmd/livebench/preload.go models this pacing with the same constants:
// change them together.
export const SPREAD_MS = 8000;

// KEEP bounds the URLs remembered as fetched (strings only: the bytes
// are in the browser's cache, not held here).
const KEEP = 200;

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

// PhotoPreloader fetches the photos it is told about, paced as above.
export class PhotoPreloader {
  constructor(spreadMs = SPREAD_MS) {
    this.spreadMs = spreadMs;
    this.wanted = [];
    this.fetched = new Set(); // loaded, or refused: not asked again
    this.running = false;
  }

  // want replaces the photos to fetch with urls (nearest first): a newer
  // state's list wins, and a photo whose slide is now on screen drops out
  // (the slide loads it itself).
  want(urls) {
    this.wanted = (urls || []).filter((u) => !this.fetched.has(u));
    if (!this.running && this.wanted.length) this.run();
  }

  async run() {
    this.running = true;
    try {
      while (this.wanted.length) {
        await pause(Math.random() * this.spreadMs);
        // The list may have changed during the pause: take its nearest.
        const url = this.wanted.find((u) => !this.fetched.has(u));
        if (!url) break;
        await this.fetch(url);
        this.wanted = this.wanted.filter((u) => !this.fetched.has(u));
      }
    } finally {
      this.running = false;
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

// preloadPhotos fetches, paced, the photos of the slides coming up that a
// follower state st lists (none once the reveal is not live).
export function preloadPhotos(st) {
  preloader.want(st && st.status === "live" ? st.preload : []);
}
