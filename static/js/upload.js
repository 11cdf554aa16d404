// Photo upload with a progress bar that survives a flaky connection.
//
// Three levels, each a fallback for the next:
//  1. no script: the form is a plain multipart POST;
//  2. this script without tus-js-client: one XHR with upload progress;
//  3. with tus-js-client (loaded on the prompt page): a resumable upload
//     (tus protocol). When the phone loses its connection the upload pauses
//     and retries; back online it asks the server how much arrived and sends
//     only the rest. A reload of the page resumes it too.

const MB = 1048576;

// An idempotency key per chosen file: a retry of the same upload (a timeout,
// the button pressed twice) is stored once. crypto.randomUUID needs https;
// getRandomValues works on a plain-http LAN too.
const newKey = () => [...crypto.getRandomValues(new Uint8Array(16))]
  .map((b) => b.toString(16).padStart(2, "0")).join("");

for (const form of document.querySelectorAll("form[data-upload]")) {
  const inputs = [...form.querySelectorAll("[data-photo-input]")];
  const preview = form.querySelector("[data-preview]");
  const chosen = form.querySelector("[data-chosen]");
  const box = form.querySelector("[data-progress-box]");
  const bar = form.querySelector("[data-progress]");
  const pct = form.querySelector("[data-progress-text]");
  const status = form.querySelector("[data-upload-status]");
  const submit = form.querySelector("[data-submit]");
  const keyField = form.querySelector("[data-upload-key]");
  let previewURL = "";
  let busy = false;

  const say = (msg, bad = false) => {
    status.textContent = msg;
    status.classList.toggle("bad", bad);
  };

  const chosenFile = () => inputs.map((i) => i.files?.[0]).find(Boolean);

  const progress = (sent, total) => {
    const p = total ? Math.min(100, Math.floor((sent / total) * 100)) : 0;
    bar.value = p;
    pct.textContent = `${p}%`;
    if (p === 100) say("Processing your photo…");
  };

  const start = () => {
    busy = true;
    submit.disabled = true;
    box.hidden = false;
    progress(0, 1);
    say("Uploading…");
  };

  const stop = (msg) => {
    busy = false;
    submit.disabled = false;
    box.hidden = true;
    say(msg, true);
  };

  const succeed = (body) => {
    say(body.message || "Saved!");
    window.location.assign(body.redirect || window.location.href);
  };

  const errorText = (text, status) => {
    try {
      const body = JSON.parse(text);
      if (body.error) return body.error;
    } catch { /* not JSON: fall through */ }
    return `The upload failed (${status}). Try again.`;
  };

  for (const input of inputs) {
    input.addEventListener("change", () => {
      // "Take a photo" and "Choose a photo" share the field name: keep one.
      for (const other of inputs) if (other !== input) other.value = "";
      const file = input.files?.[0];
      if (keyField) keyField.value = newKey();
      say("");
      if (previewURL) URL.revokeObjectURL(previewURL);
      if (!file) { preview.hidden = true; chosen.hidden = true; return; }
      // Small files in KB: "0.0 MB" reads as an empty file.
      const size = file.size < MB ? `${Math.max(1, Math.round(file.size / 1024))} KB` : `${(file.size / MB).toFixed(1)} MB`;
      chosen.textContent = `${file.name} · ${size}`;
      chosen.hidden = false;
      previewURL = URL.createObjectURL(file);
      // Browsers that cannot show the format (HEIC on most) just skip the preview.
      preview.onerror = () => { preview.hidden = true; };
      preview.onload = () => { preview.hidden = false; };
      preview.src = previewURL;
    });
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (busy) return;
    const file = chosenFile();
    if (!file) { say("Choose or take a photo first.", true); return; }
    const caption = form.elements.caption?.value ?? "";
    start();
    if (window.tus?.isSupported && form.dataset.tusEndpoint) {
      sendResumable(file, caption);
    } else {
      sendOnce(file);
    }
  });

  function sendResumable(file, caption) {
    const { event, prompt } = form.dataset;
    // "Keep it out of the live reveal" travels with the upload, like the caption.
    const notForLive = form.elements.not_for_live?.checked ? "1" : "";
    // Set while a dropped connection is being retried, so the first bytes
    // that arrive again can tell the participant the upload carries on.
    let reconnecting = false;
    const upload = new window.tus.Upload(file, {
      endpoint: form.dataset.tusEndpoint,
      metadata: { event, prompt, caption, filename: file.name, key: keyField?.value ?? "", not_for_live: notForLive },
      headers: { "X-CSRF-Token": form.dataset.csrf, Accept: "application/json" },
      // Keep trying for about two minutes: a lift, a tunnel.
      retryDelays: [0, 1000, 2000, 3000, 5000, 5000, 10000, 10000, 15000, 15000, 30000, 30000],
      removeFingerprintOnSuccess: true,
      // Resume only the same photo for the same prompt with the same caption.
      fingerprint: async (f) => ["retreat", event, prompt, f.name, f.size, f.lastModified, caption, notForLive].join("|"),
      onProgress: (sent, total) => {
        progress(sent, total);
        if (reconnecting && sent < total) {
          reconnecting = false;
          say("Connected again. Sending the rest of your photo…");
        }
      },
      onShouldRetry: (err) => {
        const code = err.originalResponse ? err.originalResponse.getStatus() : 0;
        // Retry what the network or a busy server caused; a refusal (4xx)
        // will not change by sending again. 409 is tus's "not at that
        // offset": a retry that reached the server before it had saved the
        // cut-off request's bytes asks again where to carry on from. 507 is
        // the server out of room for unfinished uploads: its message says
        // to try again later, which "connection lost" would hide.
        if (code === 507) return false;
        if (code === 0 || code >= 500 || code === 423 || code === 409) {
          reconnecting = true;
          say("Connection lost. Waiting for the network to resume the upload…");
          return true;
        }
        return false;
      },
      onError: (err) => {
        const res = err.originalResponse;
        stop(res ? errorText(res.getBody(), res.getStatus())
          : "The connection dropped. Press Upload again when you have signal: it continues where it stopped.");
      },
      onSuccess: (payload) => {
        let body = {};
        try { body = JSON.parse(payload?.lastResponse?.getBody() || "{}"); } catch { /* keep {} */ }
        succeed(body);
      },
    });
    upload.findPreviousUploads().then((previous) => {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  }

  function sendOnce(file) {
    const data = new FormData(form);
    // Send only the chosen file, under the one name the server reads.
    data.delete("photo");
    data.append("photo", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    if (keyField?.value) xhr.setRequestHeader("Idempotency-Key", `"${keyField.value}"`);
    xhr.upload.addEventListener("progress", (ev) => {
      if (ev.lengthComputable) progress(ev.loaded, ev.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        succeed(JSON.parse(xhr.responseText || "{}"));
      } else {
        stop(errorText(xhr.responseText, xhr.status));
      }
    });
    xhr.addEventListener("error", () => stop("The connection dropped before the photo arrived. Check your signal and press Upload again."));
    xhr.send(data);
  }
}
