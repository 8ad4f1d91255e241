// The policy page's preview (reports.dashboard.policy_page): the draft is posted in the background and,
// while the server judges last month under it, a progress bar asks how many days are done. Without
// scripts the button posts the form and the page comes back with the preview.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("policy-form");
  var button = document.getElementById("preview-button");
  if (!form || !button || !window.fetch) { return; }
  button.addEventListener("click", function (event) {
    event.preventDefault();
    var job = "p" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    form.elements["job"].value = job;
    var waiting = document.getElementById("preview-waiting");
    var bar = document.getElementById("preview-progress");
    var days = document.getElementById("preview-days");
    waiting.hidden = false;
    button.disabled = true;
    var timer = setInterval(function () {
      fetch(form.getAttribute("data-progress").replace("JOB", job), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (p && p.total) { bar.max = p.total; bar.value = p.done; days.textContent = p.done + " / " + p.total; }
        }).catch(function () {});
    }, 500);
    fetch(button.getAttribute("formaction"), {method: "POST", body: new FormData(form), credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("preview");
        document.getElementById("preview").innerHTML = fresh ? fresh.innerHTML : "";
        var errors = page.querySelector("#policy-form .errorlist");
        if (errors && !fresh.innerHTML.trim()) { document.getElementById("preview").appendChild(errors.cloneNode(true)); }
      })
      .finally(function () { clearInterval(timer); waiting.hidden = true; button.disabled = false; });
  });
});
