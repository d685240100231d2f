// Progressive enhancement only: every page works without this file.

import { initAll } from "/static/vendor/nhsuk/nhsuk-frontend.min.js";

initAll();

// A download can take a few seconds: show that it has started, then restore the button.
// Browsers give no "download finished" event, so the busy state ends after a short while.
for (const link of document.querySelectorAll("a.app-download")) {
  link.addEventListener("click", () => {
    const label = link.textContent;
    link.setAttribute("aria-busy", "true");
    link.textContent = link.dataset.busyText || "Preparing your download…";
    window.setTimeout(() => {
      link.removeAttribute("aria-busy");
      link.textContent = label;
    }, 4000);
  });
}
