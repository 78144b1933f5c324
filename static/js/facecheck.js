/* The face check: open the camera, give live guidance, run the server's random challenge
   with a countdown per step, capture a short burst of frames, upload them with a progress
   bar and show what the server decided. The timeline comes from the page (verification
   views.TIMELINE) so it is the same one the automated browser test plays its camera to.

   Nothing is captured or sent while the live hint says the face is not well placed (no
   face, several faces, too dark, cut off, too far or too close: cfg.blocking_hints): the
   page keeps guiding, and the get-ready countdown starts once one face is well placed. */
(function () {
  "use strict";
  const root = document.getElementById("face-check");
  const startButton = document.getElementById("start");
  if (!root || !startButton) return;
  const C = window.MicrolendCamera;
  const cfg = JSON.parse(document.getElementById("face-check-config").textContent);
  const T = cfg.timeline;
  const text = cfg.text;
  const blocking = new Set(cfg.blocking_hints);
  const $ = function (id) { return document.getElementById(id); };
  const video = $("video");
  let stopHints = null;
  let session = null;
  let guidingSince = 0;
  /* What the latest hint said: {placed, since, at}. `since` is when the face has been well
     placed from (the start of the guidance, if no hint of this attempt said otherwise);
     `at` is when the frame of the latest hint was taken. */
  let placement = null;

  function say(id, message, kind) {
    const el = $(id);
    el.textContent = message || "";
    el.hidden = !message;
    if (kind !== undefined) el.className = (id === "hint" ? "hint " : "status ") + kind;
  }

  function showHints(issues, at) {
    const wrong = issues.filter(function (issue) { return blocking.has(issue.code); });
    if (wrong.length) {
      placement = { placed: false, since: null, at: at };
      say("hint", wrong[0].message, "");
    } else {
      if (!placement) placement = { placed: true, since: guidingSince, at: at };
      else if (!placement.placed) placement = { placed: true, since: at, at: at };
      else placement.at = at;
      if (issues.length) say("hint", issues[0].message, "");
      else say("hint", text.looks_good, "good");
    }
    $("oval-line").setAttribute("stroke", placement.placed ? "#4cd964" : "white");
  }

  function placedNow() {
    // A hint older than three rounds says nothing about now (the connection may be down).
    return placement && placement.placed && performance.now() - placement.at < 3 * T.hint_every_ms;
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /* Resolves when one face has been well placed for the get-ready time; returns that
     moment (performance.now() time), which starts the capture timeline. */
  async function waitUntilPlaced() {
    for (;;) {
      if (placedNow()) {
        const readyAt = placement.since + T.get_ready_ms;
        const left = readyAt - performance.now();
        if (left <= 0) { $("countdown").textContent = ""; return readyAt; }
        $("instruction").textContent = text.get_ready;
        $("countdown").textContent = String(Math.ceil(left / 1000));
        await sleep(Math.min(100, left));
      } else {
        $("instruction").textContent = text.waiting_for_face;
        $("countdown").textContent = "";
        await sleep(100);
      }
    }
  }

  function progress(fraction) {
    $("progress").hidden = fraction === null;
    $("progress-bar").style.width = Math.round((fraction || 0) * 100) + "%";
  }

  async function ensureCamera() {
    if (video.srcObject) return;
    say("hint", text.starting, "");
    $("camera").hidden = false;
    await C.open(video);
  }

  /* Live hints for this attempt; until one says otherwise, the face counts as placed
     from now on (the browser test's fake camera is timed from here). */
  function startHints() {
    if (stopHints) return;
    placement = null;
    guidingSince = performance.now();
    stopHints = C.hints(video, cfg.hints_url, T.hint_every_ms, showHints);
  }

  async function capture(at, start, frames) {
    await C.sleepUntil(start, at);
    frames.push(await C.grab(video, T.frame_width, 0.9));
  }

  async function runChallenge(start) {
    const frames = [];
    const steps = session.challenge;
    if (stopHints) { stopHints(); stopHints = null; }
    $("camera").classList.add("capturing");
    $("instruction").textContent = text.look;
    for (const at of T.neutral_captures_ms) await capture(at, start, frames);
    const captures = steps.length > 2 ? T.step_captures_ms_three_steps : T.step_captures_ms;
    const firstStep = T.neutral_captures_ms[T.neutral_captures_ms.length - 1] + 300;
    for (let i = 0; i < steps.length; i++) {
      const stepStart = start + firstStep + i * T.step_ms;
      $("instruction").textContent = text.step_of.replace("%(n)s", i + 1).replace("%(total)s", steps.length) + " · " + steps[i].instruction;
      const ticker = setInterval(function () {
        const left = Math.ceil((stepStart + T.step_ms - performance.now()) / 1000);
        $("countdown").textContent = left > 0 ? String(left) : "";
      }, 100);
      for (const at of captures) await capture(at, stepStart, frames);
      await C.sleepUntil(stepStart, T.step_ms);
      clearInterval(ticker);
      $("countdown").textContent = "";
    }
    $("camera").classList.remove("capturing");
    $("instruction").textContent = "";
    return frames;
  }

  async function send(frames) {
    const form = new FormData();
    form.append("nonce", session.nonce);
    frames.forEach(function (blob, i) { form.append("frames", blob, "frame-" + i + ".jpg"); });
    say("hint", text.uploading, "");
    progress(0);
    const answer = await C.upload(cfg.attempts_url.replace("00000000-0000-0000-0000-000000000000", session.id), form, function (f) {
      progress(f);
      if (f >= 1) say("hint", text.checking, "");
    });
    progress(null);
    say("hint", "", "");
    return answer;
  }

  async function openSession() {
    const started = await C.upload(cfg.start_url, new FormData());
    if (!started.ok) { say("result", started.data.detail || text.failed, "error"); return false; }
    session = started.data;
    return true;
  }

  function expiresSoon() {
    // The challenge's nonce must outlive the capture and the upload.
    return Date.parse(session.expires_at) - Date.now() < 60000;
  }

  async function attempt() {
    startButton.disabled = true;
    say("result", "", "");
    try {
      await ensureCamera();
      startHints();
      if (!session && !(await openSession())) { startButton.disabled = false; return; }
      const start = await waitUntilPlaced();
      if (expiresSoon() && !(await openSession())) { startButton.disabled = false; return; }
      const frames = await runChallenge(start);
      const answer = await send(frames);
      const data = answer.data;
      if (!answer.ok) {
        say("result", data.detail || text.failed, "error");
        session = null;
        startButton.disabled = false;
        return;
      }
      $("attempts-left").textContent = text.attempts_left.replace("%(n)s", data.attempts_left);
      if (data.passed) {
        say("result", text.passed, "ok");
        finish();
      } else if (data.application_status === "refused") {
        say("result", data.message + " " + text.refused, "error");
        finish();
      } else {
        say("result", data.message, data.counts_towards_refusal ? "error" : "busy");
        session = data.next;
        startButton.disabled = false;
      }
    } catch (err) {
      say("result", err.message === "no-camera" || err.name === "NotAllowedError" || err.name === "NotFoundError" ? text.no_camera : text.network, "error");
      startButton.disabled = false;
    }
  }

  function finish() {
    if (stopHints) stopHints();
    if (video.srcObject) video.srcObject.getTracks().forEach(function (t) { t.stop(); });
    startButton.hidden = true;
    $("continue").hidden = false;
  }

  startButton.addEventListener("click", attempt);
})();
