/**
 * The page behind an API user's invitation link. Small and dependency-free; the token stays in
 * the URL fragment (never sent in a request line, so never in a log) and goes only in a POST body.
 */
export const REVEAL_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Your API user</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
button{padding:.6rem 1.2rem;font:inherit;cursor:pointer;margin:.5rem .5rem 0 0}label{display:block;margin-top:.75rem;font-weight:600}
input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}code{font-size:1.1rem;background:#f2f2f2;padding:.2rem .4rem;word-break:break-all}
.error{color:#b00020}.hint{color:#555;font-size:.9rem}
</style></head><body>
<h1>Your API user</h1>
<p>This link works <strong>once</strong>. Choose how to get your password.</p>
<button id="reveal" type="button">Show my password</button>
<button id="choose" type="button">Choose my own password</button>
<form id="own" hidden>
<label for="password">Password</label><input id="password" type="password" required minlength="8" autocomplete="new-password" aria-describedby="rules">
<p id="rules" class="hint">At least 8 characters with a digit or symbol; not your username, email or organization name.</p>
<label for="confirm">Password again</label><input id="confirm" type="password" required autocomplete="new-password">
<button type="submit">Save password</button>
</form>
<div id="result" role="status" aria-live="polite"></div>
<script>
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const result = document.getElementById('result');
const show = (html, error) => { result.className = error ? 'error' : ''; result.innerHTML = html; };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
if (!token) show('This page needs the link from your invitation email (it ends with #token=…).', true);
async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const data = await res.json();
  history.replaceState(null, '', '/reveal');
  document.getElementById('reveal').disabled = document.getElementById('choose').disabled = res.ok;
  return { ok: res.ok, data };
}
document.getElementById('reveal').addEventListener('click', async () => {
  const { ok, data } = await post('/v1/api-user-invites/reveal', { token });
  if (!ok) return show(esc(data.detail), true);
  show('<p>Username: <code>' + esc(data.username) + '</code></p><p>Password: <code id="pw">' + esc(data.password) + '</code></p>' +
    '<p>Store it in your integration now: it will not be shown again. Applications: ' + esc(data.applications.map((a) => a.name).join(', ')) + '.</p>');
});
document.getElementById('choose').addEventListener('click', () => { document.getElementById('own').hidden = false; });
document.getElementById('own').addEventListener('submit', async (event) => {
  event.preventDefault();
  const password = document.getElementById('password').value;
  const { ok, data } = await post('/v1/api-user-invites/password', { token, password, password_confirmation: document.getElementById('confirm').value });
  if (!ok) return show(esc(data.detail), true);
  document.getElementById('own').hidden = true;
  show('<p>Saved. Sign in to the API as <code>' + esc(data.username) + '</code> with the password you chose.</p>');
});
</script></body></html>`;
