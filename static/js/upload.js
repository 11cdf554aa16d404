// Upload with a progress bar. Without this script the form is a plain
// multipart POST and still works; with it the photo is sent with XHR so the
// participant sees how far it got, and a failure keeps them on the page with
// their caption and photo still chosen.

for (const form of document.querySelectorAll("form[data-upload]")) {
  const inputs = [...form.querySelectorAll("[data-photo-input]")];
  const preview = form.querySelector("[data-preview]");
  const chosen = form.querySelector("[data-chosen]");
  const box = form.querySelector("[data-progress-box]");
  const bar = form.querySelector("[data-progress]");
  const pct = form.querySelector("[data-progress-text]");
  const status = form.querySelector("[data-upload-status]");
  const submit = form.querySelector("[data-submit]");
  let previewURL = "";

  const say = (msg, bad = false) => {
    status.textContent = msg;
    status.classList.toggle("bad", bad);
  };

  const chosenFile = () => inputs.map((i) => i.files?.[0]).find(Boolean);

  for (const input of inputs) {
    input.addEventListener("change", () => {
      // "Take a photo" and "Choose a photo" share the field name: keep one.
      for (const other of inputs) if (other !== input) other.value = "";
      const file = input.files?.[0];
      say("");
      if (previewURL) URL.revokeObjectURL(previewURL);
      if (!file) { preview.hidden = true; chosen.hidden = true; return; }
      chosen.textContent = `${file.name} · ${(file.size / 1048576).toFixed(1)} MB`;
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
    const file = chosenFile();
    if (!file) { say("Choose or take a photo first.", true); return; }
    const data = new FormData(form);
    // Send only the chosen file, under the one name the server reads.
    data.delete("photo");
    data.append("photo", file, file.name);

    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (ev) => {
      if (!ev.lengthComputable) return;
      const p = Math.min(100, Math.round((ev.loaded / ev.total) * 100));
      bar.value = p;
      pct.textContent = `${p}%`;
      if (p === 100) say("Processing your photo…");
    });
    xhr.addEventListener("load", () => {
      const body = xhr.response || {};
      if (xhr.status >= 200 && xhr.status < 300) {
        say(body.message || "Saved!");
        window.location.assign(body.redirect || window.location.href);
        return;
      }
      done();
      say(body.error || `The upload failed (${xhr.status}). Try again.`, true);
    });
    xhr.addEventListener("error", () => {
      done();
      say("The connection dropped before the photo arrived. Check your signal and press Upload again.", true);
    });
    xhr.addEventListener("timeout", () => {
      done();
      say("The upload took too long. Press Upload to try again.", true);
    });

    submit.disabled = true;
    box.hidden = false;
    bar.value = 0;
    pct.textContent = "0%";
    say("Uploading…");
    xhr.send(data);
  });

  function done() {
    submit.disabled = false;
    box.hidden = true;
  }
}
