/* The personal-link page: reads the link's secret from the URL fragment (which the
   browser never sends to a server) and hands it to the form, which signs with it. */
(function () {
  "use strict";
  var host = document.getElementById("fs-link");
  if (!host) return;
  var link = host.getAttribute("data-link");
  var form = host.getAttribute("data-form");
  var lang = document.documentElement.lang || navigator.language || "en";
  var root = host.attachShadow({ mode: "open" });
  var box = document.createElement("div");
  box.setAttribute("aria-busy", "true");
  box.textContent = "…";
  root.appendChild(box);
  var secret = location.hash.replace(/^#/, "");
  if (link && !secret) {
    box.removeAttribute("aria-busy");
    document.getElementById("fs-incomplete").hidden = false;
    box.textContent = "";
    return;
  }
  import("/widget/formseal_link.js").then(function (m) {
    return m.default({ module_or_path: "/widget/formseal_link_bg.wasm" }).then(function () {
      if (link) m.mount_link(box, link, secret, location.origin, lang);
      else m.mount(box, form, location.origin, lang);
    });
  }).catch(function () { box.textContent = "The form could not be loaded. Please reload the page."; });
})();
