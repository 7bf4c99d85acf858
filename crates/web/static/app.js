// Tend's small progressive enhancements. Every page works without this file.

// The service worker (/sw.js): lets Tend be installed on a home screen, starts it quickly
// and shows a friendly page offline. Browsers without it, or that refuse it (an insecure
// address, private browsing), simply go on without.
if ('serviceWorker' in navigator) {
  const register = () => {
    try {
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
    } catch {
      // Refused outright: nothing is lost.
    }
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}

// Pre-fill the time zone from the browser on sign-up, when the person hasn't chosen one.
for (const select of document.querySelectorAll('select[data-tz-autofill]')) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const untouched = select.value === 'UTC' && !select.closest('form')?.querySelector('[aria-invalid="true"]');
  if (zone && untouched && [...select.options].some((o) => o.value === zone)) {
    select.value = zone;
  }
}

// "Use this device's zone" in settings.
for (const button of document.querySelectorAll('[data-tz-detect]')) {
  const select = document.querySelector(button.dataset.tzDetect);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!select || !zone || ![...select.options].some((o) => o.value === zone) || select.value === zone) continue;
  button.hidden = false;
  button.textContent = `Use this device’s zone (${zone.replaceAll('_', ' ')})`;
  button.addEventListener('click', () => {
    select.value = zone;
    button.hidden = true;
    select.focus();
  });
}

// Copy buttons for invite links and new tokens.
for (const button of document.querySelectorAll('[data-copy]')) {
  const source = document.querySelector(button.dataset.copy);
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(source.value);
      button.textContent = 'Copied';
    } catch {
      source.select();
      button.textContent = 'Press Ctrl+C to copy';
    }
    setTimeout(() => { button.textContent = 'Copy'; }, 2500);
  });
}

// "Turn on notifications on this device" on the Reminders page: asks the browser for
// permission, subscribes with Tend's public key and sends the subscription as a plain form
// post, so the page then lists the device like any other change.
const pushBox = document.querySelector('[data-push]');
if (pushBox) {
  const state = pushBox.querySelector('[data-push-state]');
  const button = pushBox.querySelector('[data-push-subscribe]');
  const say = (text) => { if (state) state.textContent = text; };
  const keyBytes = (base64url) => {
    const raw = atob(base64url.replaceAll('-', '+').replaceAll('_', '/'));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  if (!supported) {
    say('This browser can’t show notifications from Tend. On an iPhone, add Tend to your home screen first, then open it from there.');
  } else if (Notification.permission === 'denied') {
    say('Notifications are blocked for Tend in this browser. Allow them in the browser’s site settings, then come back.');
  } else if (button) {
    say('Tap the button, then allow notifications when your browser asks.');
    button.hidden = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        if ((await Notification.requestPermission()) !== 'granted') {
          say('Notifications were not allowed, so nothing changed.');
          return;
        }
        const registration = await navigator.serviceWorker.ready;
        const existing = await registration.pushManager.getSubscription();
        const subscription = existing || await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(pushBox.dataset.pushKey),
        });
        const json = subscription.toJSON();
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/reminders/devices';
        const fields = {
          csrf: pushBox.dataset.csrf,
          endpoint: json.endpoint || '',
          p256dh: json.keys?.p256dh || '',
          auth: json.keys?.auth || '',
        };
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      } catch {
        say('This browser could not turn notifications on just now. Please try again in a moment.');
      } finally {
        button.disabled = false;
      }
    });
  }
}

for (const input of document.querySelectorAll('[data-select-on-focus]')) {
  input.addEventListener('focus', () => input.select());
}

// Starters: fill the appreciation with the opening, then let the person finish. The kind is
// the person's choice: once one is chosen only its starters are offered and a starter never
// changes it; before that, a starter picks the kind it is listed under.
const showStarters = (form) => {
  const chosen = form.querySelector('input[name="kind"]:checked')?.value;
  for (const group of form.querySelectorAll('[data-starter-group]')) {
    group.hidden = Boolean(chosen) && group.dataset.starterGroup !== chosen;
  }
};
for (const form of document.querySelectorAll('.appreciation-form')) {
  showStarters(form);
  form.addEventListener('change', (event) => {
    if (event.target.matches('input[name="kind"]')) showStarters(form);
  });
}
for (const link of document.querySelectorAll('[data-starter]')) {
  link.addEventListener('click', (event) => {
    const form = link.closest('.appreciation-form') ?? document.querySelector('.appreciation-form');
    const body = form?.querySelector('textarea[name="body"]');
    if (!form || !body) return;
    event.preventDefault();
    body.value = `${link.dataset.starter.replace(/…$/, '')} `;
    if (!form.querySelector('input[name="kind"]:checked')) {
      const kind = form.querySelector(`input[name="kind"][value="${link.dataset.starterKind}"]`);
      if (kind) kind.checked = true;
      showStarters(form);
    }
    const id = form.querySelector('[data-starter-id]');
    if (id) id.value = link.dataset.starterKey;
    link.closest('details')?.removeAttribute('open');
    body.focus();
    body.setSelectionRange(body.value.length, body.value.length);
  });
}

// Live updates: when the partner does something, re-read this page and swap in the parts
// marked data-live-part, leaving alone any part where the person is typing or choosing.
const busy = (part) => {
  const active = document.activeElement;
  const typing = active && part.contains(active) && active.matches('input[type="text"], textarea');
  return typing
    || [...part.querySelectorAll('input[type="text"], textarea')].some((el) => el.value.trim() !== el.defaultValue.trim())
    || [...part.querySelectorAll('input[type="radio"], input[type="checkbox"]')].some((el) => el.checked !== el.defaultChecked);
};
// A confirmation inside a live part (marked data-live-notice) speaks for the state it
// confirmed: it alone is no change, and it goes, with its ?done= in the address, once the part
// moves on.
const withoutNotices = (part) => {
  const copy = part.cloneNode(true);
  for (const notice of copy.querySelectorAll('[data-live-notice]')) notice.remove();
  return copy.outerHTML;
};
let refreshing = false;
let again = false;
// Once a form is on its way, the page it leads to is what counts: no live refresh may patch
// or reload this one meanwhile (a reload would cancel the navigation the form started).
let leaving = false;
document.addEventListener('submit', (event) => { if (!event.defaultPrevented) leaving = true; });
window.addEventListener('pageshow', () => { leaving = false; });
const refresh = async () => {
  if (leaving) return;
  if (refreshing) { again = true; return; }
  refreshing = true;
  try {
    const response = await fetch(window.location.pathname, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
    if (!response.ok) return;
    // The page now lives elsewhere (the partner started the show-and-tell this hub leads to):
    // follow it there.
    if (response.redirected && new URL(response.url).pathname !== window.location.pathname) {
      window.location.assign(response.url);
      return;
    }
    const arrived = performance.now();
    const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
    // A page that changed its whole look (the calm screen of a tech-free evening, and back)
    // is loaded anew rather than patched.
    if (leaving) return;
    if (fresh.body.className !== document.body.className) { window.location.reload(); return; }
    for (const clock of fresh.querySelectorAll('[data-countdown]')) clock.dataset.arrivedAt = String(arrived);
    for (const part of document.querySelectorAll('[data-live-part][id]')) {
      const next = fresh.getElementById(part.id);
      if (next && !busy(part) && withoutNotices(next) !== withoutNotices(part)) {
        if (part.querySelector('[data-live-notice]')) {
          const url = new URL(window.location.href);
          url.searchParams.delete('done');
          window.history.replaceState(window.history.state, '', url);
        }
        for (const { name } of [...part.attributes]) {
          if (!next.hasAttribute(name)) part.removeAttribute(name);
        }
        for (const { name, value } of [...next.attributes]) part.setAttribute(name, value);
        part.innerHTML = next.innerHTML;
      }
    }
    document.dispatchEvent(new CustomEvent('tend:updated'));
  } finally {
    refreshing = false;
    if (again) { again = false; refresh(); }
  }
};
if (document.querySelector('[data-live-part][id]') && 'EventSource' in window) {
  const source = new EventSource('/events');
  source.addEventListener('change', refresh);
  // After a lost connection, catch up on whatever happened meanwhile.
  let connectedBefore = false;
  source.addEventListener('ready', () => {
    if (connectedBefore) refresh();
    connectedBefore = true;
    document.documentElement.dataset.live = 'connected';
  });
}

// Countdowns run from the time left as the server computed it, never from this phone's own
// clock, so two phones agree however their clocks are set. At zero the page asks the server
// what comes next (the turn switches there, not here).
const startCountdowns = () => {
  for (const el of document.querySelectorAll('[data-countdown]:not([data-counting])')) {
    el.dataset.counting = 'yes';
    // Count from when the server's answer arrived, not from when this script got to run.
    const arrived = Number(el.dataset.arrivedAt) || performance.getEntriesByType('navigation')[0]?.responseStart;
    const deadline = (arrived || performance.now()) + Number(el.dataset.remainingMs || 0);
    el.dataset.endsAt = String(Math.round(performance.timeOrigin + deadline));
    const tick = () => {
      if (!el.isConnected) return;
      const left = Math.max(0, deadline - performance.now());
      const seconds = Math.ceil(left / 1000);
      el.dataset.leftMs = String(Math.round(left));
      el.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
      if (left > 0) {
        setTimeout(tick, Math.min(250, left));
      } else if (document.querySelector('[data-live-part][id]')) {
        setTimeout(refresh, 150);
      } else {
        window.location.reload();
      }
    };
    tick();
  }
};

// The listener's cue: one at a time, moving on every tenth of the turn, or on request.
const startCues = () => {
  const guidelines = [...document.querySelectorAll('[data-guideline]')];
  for (const cue of document.querySelectorAll('[data-cue]:not([data-cueing])')) {
    cue.dataset.cueing = 'yes';
    if (!guidelines.length) continue;
    let index = Number(cue.dataset.cue) || 0;
    const show = () => {
      const g = guidelines[index % guidelines.length];
      cue.querySelector('[data-cue-name]').textContent = g.dataset.name;
      cue.querySelector('[data-cue-text]').textContent = g.dataset.cueText;
    };
    const next = () => { index += 1; show(); };
    const button = cue.querySelector('[data-cue-next]');
    if (button) { button.hidden = false; button.addEventListener('click', next); }
    const every = Number(cue.dataset.cueEveryMs) || 90000;
    const timer = setInterval(() => { if (cue.isConnected) next(); else clearInterval(timer); }, every);
  }
};

startCountdowns();
startCues();
document.addEventListener('tend:updated', () => { startCountdowns(); startCues(); });

// The 20-second hug: a calm countdown with a slow breathing circle, a soft vibration at the
// end, then "We hugged". "We hugged" takes the place of "Start" once the countdown has begun,
// so it cannot be tapped before; without this script there is no countdown, and the form
// alone, always shown, logs the hug.
for (const hug of document.querySelectorAll('[data-hug]')) {
  const start = hug.querySelector('[data-hug-start]');
  const count = hug.querySelector('[data-hug-count]');
  const status = hug.querySelector('[data-hug-status]');
  const done = hug.querySelector('[data-hug-done]');
  const seconds = Number(hug.dataset.seconds) || 20;
  if (!start || !count || !status || !done) continue;
  const startRow = start.closest('.actions') ?? start;
  done.hidden = true;
  startRow.hidden = false;
  start.addEventListener('click', () => {
    startRow.hidden = true;
    done.hidden = false;
    // Focus moves on with the button it replaces, rather than falling back to the page.
    done.querySelector('button')?.focus({ preventScroll: true });
    hug.classList.add('hugging');
    status.textContent = 'Breathe in… and out. Stay close.';
    const began = performance.now();
    const timer = setInterval(() => {
      const left = Math.max(0, seconds - Math.floor((performance.now() - began) / 1000));
      count.textContent = String(left);
      if (left === 0) {
        clearInterval(timer);
        hug.classList.remove('hugging');
        hug.classList.add('hugged');
        status.textContent = 'Twenty seconds. Log it for the two of you?';
        if (navigator.vibrate) navigator.vibrate([120, 80, 120]);
        done.querySelector('button')?.focus();
      }
    }, 200);
  });
}

// Getting support: the private safety check. "Quick exit" leaves at once for a neutral site
// and takes this page's place in the history, so Back does not return to it; Esc does the
// same wherever the button is on the page. Without this script the link still leaves.
const quickExit = (link) => {
  window.location.replace(link.href);
};
document.addEventListener('click', (event) => {
  const link = event.target instanceof Element ? event.target.closest('[data-quick-exit]') : null;
  if (!link) return;
  event.preventDefault();
  quickExit(link);
});
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  const link = document.querySelector('[data-quick-exit]');
  if (!link) return;
  event.preventDefault();
  quickExit(link);
});
// The check lists the reader's likely country first: offer this device's zone with the form.
for (const input of document.querySelectorAll('input[data-zone-autofill]')) {
  if (!input.value) input.value = Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
}
