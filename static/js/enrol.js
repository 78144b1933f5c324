/* Enrolling the reference photo: from the camera (with live guidance) or from a file. */
(function () {
  "use strict";
  const root = document.getElementById("enrol");
  const openButton = document.getElementById("open-camera");
  if (!root || !openButton) return;
  const C = window.MicrolendCamera;
  const cfg = JSON.parse(document.getElementById("enrol-config").textContent);
  const text = cfg.text;
  const video = document.getElementById("video");
  const take = document.getElementById("take-photo");
  const hint = document.getElementById("hint");
  const result = document.getElementById("result");
  let stopHints = null;

  function say(message, kind) {
    result.textContent = message || "";
    result.hidden = !message;
    result.className = "status " + (kind || "");
  }

  async function send(blob) {
    const form = new FormData();
    form.append("photo", blob, "reference.jpg");
    say(text.photo_taken, "busy");
    const answer = await C.upload(cfg.enrol_url, form);
    if (answer.ok) {
      say(text.enrolled, "ok");
      if (stopHints) stopHints();
      window.location.assign(cfg.next_url);
    } else {
      say(answer.data.detail || text.failed, "error");
    }
  }

  openButton.addEventListener("click", async function () {
    try {
      document.getElementById("camera").hidden = false;
      await C.open(video);
      openButton.hidden = true;
      take.hidden = false;
      stopHints = C.hints(video, cfg.hints_url, cfg.timeline.hint_every_ms, function (issues) {
        hint.textContent = issues.length ? issues[0].message : text.looks_good;
        hint.className = "hint " + (issues.length ? "" : "good");
      });
    } catch (err) {
      say(text.no_camera, "error");
    }
  });
  take.addEventListener("click", async function () {
    take.disabled = true;
    try { await send(await C.grab(video, 960, 0.92)); } catch (err) { say(text.network, "error"); }
    take.disabled = false;
  });
  document.getElementById("photo-file").addEventListener("change", async function (e) {
    if (e.target.files.length) { try { await send(e.target.files[0]); } catch (err) { say(text.network, "error"); } }
  });
})();
