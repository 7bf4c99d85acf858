// Tend's small progressive enhancements. Every page works without this file.

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

for (const input of document.querySelectorAll('[data-select-on-focus]')) {
  input.addEventListener('focus', () => input.select());
}
