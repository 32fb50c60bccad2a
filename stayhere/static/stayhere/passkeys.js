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

async function addPasskey(button) {
  const status = document.getElementById(button.dataset.status);
  const name = document.getElementById(button.dataset.nameField)?.value ?? '';
  say(status, '');
  const options = await post(button.dataset.optionsUrl);
  if (!options.ok) {
    say(status, button.dataset.failed);
    return;
  }
  let credential;
  try {
    const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options.data);
    credential = await navigator.credentials.create({ publicKey });
  } catch {
    say(status, button.dataset.cancelled);
    return;
  }
  const done = await post(button.dataset.url, { credential: credential.toJSON(), name });
  if (done.ok) {
    window.location.assign(button.dataset.done);
  } else {
    say(status, done.data.error || button.dataset.failed);
  }
}

async function signIn(button) {
  const status = document.getElementById(button.dataset.status);
  say(status, '');
  const options = await post(button.dataset.optionsUrl);
  if (!options.ok) {
    say(status, button.dataset.failed);
    return;
  }
  let credential;
  try {
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options.data);
    credential = await navigator.credentials.get({ publicKey });
  } catch {
    say(status, button.dataset.cancelled);
    return;
  }
  const next = new URLSearchParams(window.location.search).get('next') ?? '';
  const done = await post(button.dataset.url, { credential: credential.toJSON(), next });
  if (done.ok) {
    window.location.assign(done.data.next);
  } else {
    say(status, done.data.error || button.dataset.failed);
  }
}

if (supported()) {
  for (const button of document.querySelectorAll('button[data-passkey]')) {
    button.hidden = false;
    const act = button.dataset.passkey === 'add' ? addPasskey : signIn;
    button.addEventListener('click', () => act(button));
  }
  for (const hint of document.querySelectorAll('[data-passkey-hint]')) {
    hint.hidden = true;
  }
}
