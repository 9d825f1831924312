/* Formseal loader. Put <script src="https://HOST/embed.js" data-form="ID" async></script>
   where the form should appear, or add data-target="#element-id". Optional: data-lang,
   data-mode="popup" (a button that opens the form in a dialog), data-label (its text). */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script ? script.src : "/embed.js", location.href).origin;
  var todo = script ? [script] : document.querySelectorAll("script[data-form]:not([data-formseal])");
  var widget;
  function load() {
    widget = widget || import(base + "/widget/formseal_widget.js").then(function (m) {
      return m.default({ module_or_path: base + "/widget/formseal_widget_bg.wasm" }).then(function () { return m; });
    });
    return widget;
  }
  function start(host, box, tag) {
    var lang = tag.getAttribute("data-lang") || navigator.language || "en";
    load().then(function (m) { m.mount(box, tag.getAttribute("data-form"), base, lang); }, function (e) {
      box.textContent = "The form could not be loaded.";
      host.dispatchEvent(new CustomEvent("formseal:error", { bubbles: true, detail: String(e) }));
    });
  }
  Array.prototype.forEach.call(todo, function (tag) {
    if (tag.hasAttribute("data-formseal")) return;
    tag.setAttribute("data-formseal", "");
    var target = tag.getAttribute("data-target");
    var host = target ? document.querySelector(target) : null;
    if (!host) {
      // A custom element: host-page rules for div, section … do not match it.
      host = document.createElement("formseal-form");
      tag.parentNode.insertBefore(host, tag);
    }
    var root = host.shadowRoot || host.attachShadow({ mode: "open" });
    // Important rules inside a shadow root beat the host page's important rules. A
    // constructed sheet needs no 'unsafe-inline' in the host page's CSP.
    var css = ":host{all:initial!important;display:block!important}";
    try { var sheet = new CSSStyleSheet(); sheet.replaceSync(css); root.adoptedStyleSheets = [sheet]; }
    catch (e) { root.innerHTML = "<style>" + css + "</style>"; }
    var box = document.createElement("div");
    // Reserve room at once so the page does not jump when the form arrives.
    box.style.cssText = "min-height:24rem;font:16px system-ui,sans-serif;color:#57606a;padding:1.25rem";
    box.textContent = "…";
    box.setAttribute("aria-busy", "true");
    if (tag.getAttribute("data-mode") === "popup") {
      var open = document.createElement("button");
      open.type = "button";
      open.textContent = tag.getAttribute("data-label") || "Open form";
      open.style.cssText = "all:initial;font:600 16px system-ui,sans-serif;color:#fff;background:#1f6feb;padding:.6rem 1.1rem;border-radius:6px;cursor:pointer";
      var dialog = document.createElement("dialog");
      dialog.setAttribute("aria-label", open.textContent);
      dialog.style.cssText = "all:revert;max-width:44rem;width:calc(100% - 2rem);border:0;border-radius:10px;padding:0";
      var close = document.createElement("button");
      close.type = "button";
      close.textContent = "×";
      close.setAttribute("aria-label", "Close");
      close.style.cssText = "all:initial;float:right;font:24px system-ui;cursor:pointer;padding:.25rem .75rem";
      close.onclick = function () { dialog.close(); };
      dialog.append(close, box);
      root.append(open, dialog);
      open.onclick = function () {
        dialog.showModal();
        if (!box.hasAttribute("data-started")) { box.setAttribute("data-started", ""); start(host, box, tag); }
      };
      return;
    }
    root.appendChild(box);
    // Load when the form comes near the viewport, not before.
    if ("IntersectionObserver" in window) {
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); start(host, box, tag); }
      }, { rootMargin: "300px" });
      seen.observe(host);
    } else {
      start(host, box, tag);
    }
  });
})();
