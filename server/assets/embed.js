/* Formseal loader. Put <script src="https://HOST/embed.js" data-form="ID" async></script>
   where the form should appear (or add data-target="#element-id"). Optional data-lang. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script ? script.src : "/embed.js", location.href).origin;
  var todo = script ? [script] : document.querySelectorAll("script[data-form]:not([data-formseal])");
  var widget;
  function load() {
    if (!widget) {
      widget = import(base + "/widget/formseal_widget.js").then(function (m) {
        return m.default({ module_or_path: base + "/widget/formseal_widget_bg.wasm" }).then(function () { return m; });
      });
    }
    return widget;
  }
  Array.prototype.forEach.call(todo, function (tag) {
    if (tag.hasAttribute("data-formseal")) return;
    tag.setAttribute("data-formseal", "");
    var target = tag.getAttribute("data-target");
    var host = target ? document.querySelector(target) : null;
    if (!host) {
      host = document.createElement("div");
      tag.parentNode.insertBefore(host, tag);
    }
    var root = host.shadowRoot || host.attachShadow({ mode: "open" });
    var box = document.createElement("div");
    box.textContent = "…";
    box.setAttribute("aria-busy", "true");
    root.appendChild(box);
    var form = tag.getAttribute("data-form");
    var lang = tag.getAttribute("data-lang") || navigator.language || "en";
    load().then(function (m) { m.mount(box, form, base, lang); }, function (e) {
      box.textContent = "The form could not be loaded.";
      host.dispatchEvent(new CustomEvent("formseal:error", { bubbles: true, detail: String(e) }));
    });
  });
})();
