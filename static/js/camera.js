/* Camera helpers shared by the face-check and enrolment pages: open the front camera,
   grab unmirrored JPEG frames, ask the server for live capture hints, upload with progress. */
(function (global) {
  "use strict";

  async function open(video) {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no-camera");
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
      audio: false,
    });
    video.srcObject = stream;
    await video.play();
    if (!video.videoWidth) {
      await new Promise(function (resolve) { video.addEventListener("loadeddata", resolve, { once: true }); });
    }
    return stream;
  }

  /* The picture as the camera sees it (not mirrored like the preview), `width` pixels wide. */
  function grab(video, width, quality) {
    const canvas = document.createElement("canvas");
    const w = Math.min(width, video.videoWidth || width);
    canvas.width = w;
    canvas.height = Math.round(w * (video.videoHeight || 480) / (video.videoWidth || 640));
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality || 0.9); });
  }

  function sleepUntil(start, offsetMs) {
    const wait = start + offsetMs - performance.now();
    return new Promise(function (resolve) { setTimeout(resolve, Math.max(0, wait)); });
  }

  /* POST multipart with upload progress (0..1) reported to `onProgress`. */
  function upload(url, form, onProgress) {
    return new Promise(function (resolve, reject) {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", global.MicrolendCommon.csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
      xhr.onload = function () {
        let data = {};
        try { data = JSON.parse(xhr.responseText || "{}"); } catch (err) { data = {}; }
        resolve({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, data: data });
      };
      xhr.onerror = function () { reject(new Error("network")); };
      xhr.send(form);
    });
  }

  /* Every `everyMs`, send a small preview frame and show what to fix: `show(issues, at)`,
     `at` being when that frame was taken (performance.now()). Returns a stop(). */
  function hints(video, url, everyMs, show) {
    let stopped = false;
    let busy = false;
    const timer = setInterval(async function () {
      if (stopped || busy || !video.videoWidth) return;
      busy = true;
      const at = performance.now();
      try {
        const form = new FormData();
        form.append("frame", await grab(video, 320, 0.7), "preview.jpg");
        const answer = await upload(url, form);
        if (!stopped && answer.ok) show(answer.data, at);
      } catch (err) { /* hints are best effort */ }
      busy = false;
    }, everyMs);
    return function () { stopped = true; clearInterval(timer); };
  }

  global.MicrolendCamera = { open: open, grab: grab, sleepUntil: sleepUntil, upload: upload, hints: hints };
})(window);
