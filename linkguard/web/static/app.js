// linkguard serve: the per-link "Check online" button. Everything it shows goes in as text
// (textContent), never as HTML; the server sends the evidence already defanged.
"use strict";
(function () {
  function csrf() { return document.body.getAttribute("data-csrf") || ""; }

  function show(box, data) {
    box.textContent = "";
    var head = document.createElement("p");
    var badge = document.createElement("span");
    badge.className = "verdict " + data.status;
    badge.textContent = data.verdict;
    head.appendChild(badge);
    var text = " after the online check: score " + data.score + "/100";
    if (data.imitates) { text += ", imitates " + data.imitates; }
    if (data.techniques.length) { text += "; techniques: " + data.techniques.join(", "); }
    head.appendChild(document.createTextNode(text));
    box.appendChild(head);
    var list = document.createElement("ul");
    list.className = "evidence";
    data.evidence.forEach(function (item) {
      var li = document.createElement("li");
      var kind = document.createElement("strong");
      kind.textContent = item[0];
      li.appendChild(kind);
      li.appendChild(document.createTextNode(": " + item[1]));
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function run(button) {
    var wrap = button.parentNode;
    var status = wrap.querySelector(".progress");
    var box = wrap.querySelector(".online-result");
    var started = Date.now();
    var bar = document.createElement("progress");
    button.disabled = true;
    status.textContent = "";
    status.appendChild(bar);
    var label = document.createTextNode("Following the link, reading the page, asking the registry…");
    status.appendChild(label);
    var timer = setInterval(function () {
      label.textContent = "Running the online check… " + Math.round((Date.now() - started) / 1000) + " s";
    }, 1000);
    fetch("/investigate", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify({ url: button.getAttribute("data-url") })
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (r) {
      if (!r.ok) { throw new Error(r.data.detail || "the online check failed"); }
      show(box, r.data);
      status.textContent = "Done.";
    }).catch(function (err) {
      status.textContent = "Failed: " + err.message;
    }).finally(function () {
      clearInterval(timer);
      button.disabled = false;
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof HTMLButtonElement && target.classList.contains("investigate")) { run(target); }
  });
})();
