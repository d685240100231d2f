// Live workshop pages: kept up to date without reloading, and votes sent in place.
//
// Progressive enhancement only: without this script every page still works. Forms post as
// usual, and a page shows the workshop as it was when it was loaded.
//
// Everything comes from the server by polling every few seconds while the page is visible:
// the database is the only state the app's processes share, and a short JSON answer is
// kinder to a weak mobile signal than a connection held open.

const POLL_MS = 3000;
const NOT_SENT = "Your vote has not been sent. Check your connection, then press the button again.";

function every(task) {
  let timer = null;
  const run = async () => {
    timer = null;
    if (document.visibilityState === "visible") {
      try {
        await task();
      } catch {
        // A dropped connection: try again at the next tick.
      }
    }
    timer = window.setTimeout(run, POLL_MS);
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && timer !== null) {
      window.clearTimeout(timer);
      run();
    }
  });
  timer = window.setTimeout(run, POLL_MS);
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
  return { status: response.status, data: await response.json() };
}

// Facilitator: how many people have joined, and how many have voted on each challenge.
function followCounts(root) {
  every(async () => {
    const { status, data } = await getJSON(root.dataset.liveUrl);
    if (status !== 200) return;
    for (const element of root.querySelectorAll("[data-live=joined]")) {
      element.textContent = data.joined;
    }
    for (const element of root.querySelectorAll("[data-live-votes]")) {
      element.textContent = data.votes[element.dataset.liveVotes] || 0;
    }
  });
}

// Participant: the page is one element, #workshop-view, fetched again when the workshop's
// state changes (the facilitator opens, reveals or moves on, or closes the workshop).
function currentView() {
  return document.getElementById("workshop-view");
}

async function refreshView() {
  const view = currentView();
  const response = await fetch(view.dataset.viewUrl || window.location.pathname,
                               { headers: { Accept: "text/html" }, cache: "no-store" });
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById("workshop-view");
  if (!fresh) {
    window.location.assign(response.url);  // no longer joined: go to the join page
    return;
  }
  const chosen = view.querySelector("input[name=level]:checked");
  const sameChallenge = fresh.dataset.challenge === view.dataset.challenge;
  view.replaceWith(fresh);
  document.title = page.title;
  if (sameChallenge && chosen) {
    // Keep a choice not sent yet when only something else on the page changed.
    const again = fresh.querySelector(`input[name=level][value="${chosen.value}"]`);
    if (again) again.checked = true;
  } else if (!sameChallenge) {
    fresh.querySelector("h1")?.focus();  // tell screen reader users the challenge changed
  }
}

function followWorkshop() {
  every(async () => {
    const view = currentView();
    if (!view?.dataset.stateUrl) return;  // the workshop has ended: nothing to follow
    const { status, data } = await getJSON(view.dataset.stateUrl);
    if (status !== 200 || data.state !== view.dataset.state) await refreshView();
  });
}

async function sendVote(form) {
  const status = currentView().querySelector("[data-vote-status]");
  const button = form.querySelector("[data-vote-button]");
  if (button.getAttribute("aria-disabled") === "true") return;  // already sending
  button.setAttribute("aria-disabled", "true");
  status.classList.remove("app-vote-status--error");
  status.textContent = "Sending your vote…";
  try {
    const response = await fetch(form.action, {
      method: "POST", body: new FormData(form), headers: { Accept: "application/json" },
    });
    const data = await response.json();
    if (response.ok) {
      status.textContent = data.message;
      button.textContent = "Change my vote";
    } else if (response.status === 400) {
      status.textContent = data.message;
      status.classList.add("app-vote-status--error");
    } else {
      await refreshView();  // voting on it has ended, or the workshop has: the page says so
    }
  } catch {
    status.textContent = NOT_SENT;
    status.classList.add("app-vote-status--error");
  } finally {
    button.removeAttribute("aria-disabled");
  }
}

const facilitator = document.querySelector("[data-live-url]");
if (facilitator) followCounts(facilitator);

const view = currentView();
if (view) {
  // The join form is answered with the vote page itself: show its own address instead.
  if (view.dataset.viewUrl && window.location.pathname !== view.dataset.viewUrl) {
    window.history.replaceState(null, "", view.dataset.viewUrl);
  }
  followWorkshop();
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-vote-form]");
    if (!form) return;
    event.preventDefault();
    sendVote(form);
  });
}
