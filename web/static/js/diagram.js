// Draws the workflow diagram on the dashboard with the vendored mermaid.js.
// Without JavaScript the mermaid text stays visible next to the table of counts.
(function () {
  "use strict";
  if (!window.mermaid) { return; }
  window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "neutral" });
  window.mermaid.run({ querySelector: "pre.mermaid" }).then(function () {
    document.documentElement.setAttribute("data-diagram", "drawn");
  }).catch(function (err) {
    document.documentElement.setAttribute("data-diagram", "failed");
    if (window.console) { window.console.error(err); }
  });
})();
