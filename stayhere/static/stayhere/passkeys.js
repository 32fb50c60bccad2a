// Passkeys on the servants' pages: add one (signed in), or sign in with one. The server sends WebAuthn's JSON
// form of the options; the browser's own parse and toJSON turn them into the API's objects and back. Buttons stay
// hidden where the browser has no passkeys, so the password form is all such a browser shows.

const csrfToken = () => document.querySelector('input[name=csrfmiddlewaretoken]')?.value ?? '';

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
    body: body === undefined ? '' : JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = {};
  }
  return { ok: response.ok, data };
}

function say(box, text) {
  if (box) {
    box.textContent = text;
    box.hidden = !text;
  }
}

const supported = () =>
  typeof window.PublicKeyCredential === 'function' &&
  typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function' &&
  typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function';

// The two ceremonies differ only in the browser call, what is posted beside the credential, and where to go next.
const CEREMONIES = {
  add: {
    ask: (options) =>
      navigator.credentials.create({ publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options) }),
    extra: (button) => ({ name: document.getElementById(button.dataset.nameField)?.value ?? '' }),
    next: (button) => button.dataset.done,
  },
  'sign-in': {
    ask: (options) =>
      navigator.credentials.get({ publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options) }),
    extra: () => ({ next: new URLSearchParams(window.location.search).get('next') ?? '' }),
    next: (_button, data) => data.next,
  },
};

async function ceremony(button, steps) {
  const status = document.getElementById(button.dataset.status);
  say(status, '');
  const options = await post(button.dataset.optionsUrl);
  if (!options.ok) {
    say(status, button.dataset.failed);
    return;
  }
  let credential;
  try {
    credential = await steps.ask(options.data);
  } catch {
    say(status, button.dataset.cancelled);
    return;
  }
  const done = await post(button.dataset.url, { credential: credential.toJSON(), ...steps.extra(button) });
  if (done.ok) {
    window.location.assign(steps.next(button, done.data));
  } else {
    say(status, done.data.error || button.dataset.failed);
  }
}

if (supported()) {
  for (const button of document.querySelectorAll('button[data-passkey]')) {
    button.hidden = false;
    const steps = CEREMONIES[button.dataset.passkey === 'add' ? 'add' : 'sign-in'];
    button.addEventListener('click', () => ceremony(button, steps));
  }
  for (const hint of document.querySelectorAll('[data-passkey-hint]')) {
    hint.hidden = true;
  }
}
