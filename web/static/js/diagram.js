// Draws the workflow diagram on the dashboard with the vendored mermaid.js.
// Without JavaScript the figure stays hidden by CSS (the table of counts says the same);
// with it, the figure shows once mermaid has drawn the SVG, at a legible natural size.
(function () {
  "use strict";
  if (!window.mermaid) { return; }
  document.documentElement.classList.add("js");
  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: "neutral",
    themeVariables: { fontSize: "16px" },
    state: { useMaxWidth: false },
  });
  window.mermaid.run({ querySelector: "pre.mermaid" }).then(function () {
    document.documentElement.setAttribute("data-diagram", "drawn");
  }).catch(function (err) {
    document.documentElement.setAttribute("data-diagram", "failed");
    if (window.console) { window.console.error(err); }
  });
})();
