/* Upload with a progress bar: the file is sent with XMLHttpRequest so the page can show how much has
   been sent, then an indeterminate bar while the server checks it. Without JavaScript the form posts
   normally. */
(function () {
  "use strict";
  function start(form) {
    var box = form.querySelector("[data-progress]");
    var bar = box && box.querySelector("progress");
    var label = box && box.querySelector("[data-progress-label]");
    if (!box || !window.FormData || !window.XMLHttpRequest) { return false; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    box.hidden = false;
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        bar.max = e.total; bar.value = e.loaded;
        label.textContent = box.dataset.sending + " " + Math.round(e.loaded * 100 / e.total) + "%";
      }
    };
    xhr.upload.onload = function () {
      bar.removeAttribute("value");
      label.textContent = box.dataset.checking;
    };
    xhr.onload = function () {
      // A roster upload answers with a redirect to its job's page (live progress): go there.
      var target = xhr.responseURL;
      var sent = new URL(form.action || window.location.href, window.location.href).pathname;
      if (target && new URL(target).pathname !== sent) { window.location.assign(target); return; }
      document.open(); document.write(xhr.responseText); document.close();
    };
    xhr.onerror = function () { form.submit(); };
    xhr.send(new FormData(form));
    return true;
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.matches && form.matches("form[data-upload]") && start(form)) { e.preventDefault(); }
  });
})();
