/**
 * The first-start page behind the printed setup link. Deliberately small and dependency-free:
 * the admin UI replaces it. The token stays in the URL fragment and is sent only in the body.
 */
export const SETUP_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Set up apiusers</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin-top:.75rem;font-weight:600}input,select{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
button{margin-top:1.25rem;padding:.6rem 1.2rem;font:inherit;cursor:pointer}.error{color:#b00020}.hint{color:#555;font-size:.9rem}
</style></head><body>
<h1>Set up apiusers</h1>
<p>Create your organization and its Account owner. This link works once.</p>
<form id="setup">
<fieldset><legend>Organization</legend>
<label for="org-name">Name</label><input id="org-name" name="org-name" required maxlength="200" autocomplete="organization">
<label for="time-zone">Time zone</label><input id="time-zone" name="time-zone" required list="zones">
<datalist id="zones"></datalist>
</fieldset>
<fieldset><legend>Account owner</legend>
<label for="first-name">First name</label><input id="first-name" required maxlength="100" autocomplete="given-name">
<label for="last-name">Last name</label><input id="last-name" required maxlength="100" autocomplete="family-name">
<label for="email">Email</label><input id="email" type="email" required autocomplete="email">
<label for="password">Password</label><input id="password" type="password" required minlength="15" autocomplete="new-password" aria-describedby="pw-hint">
<p id="pw-hint" class="hint">At least 15 characters; a few unrelated words work well. Common passwords are refused.</p>
</fieldset>
<button type="submit">Create organization</button>
<p id="message" role="status" aria-live="polite"></p>
</form>
<script>
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
document.getElementById('time-zone').value = zone;
const list = document.getElementById('zones');
for (const z of (Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : [zone])) { const o = document.createElement('option'); o.value = z; list.appendChild(o); }
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const message = document.getElementById('message');
if (!token) { message.textContent = 'This page needs the setup link printed by the server (it ends with #token=…).'; message.className = 'error'; }
document.getElementById('setup').addEventListener('submit', async (event) => {
  event.preventDefault();
  const v = (id) => document.getElementById(id).value;
  const res = await fetch('/v1/setup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({
    token, organization: { name: v('org-name'), time_zone: v('time-zone') },
    owner: { first_name: v('first-name'), last_name: v('last-name'), email: v('email'), password: v('password') } }) });
  const body = await res.json();
  if (res.ok) {
    history.replaceState(null, '', '/setup'); message.className = '';
    message.textContent = 'Done: ' + body.organization.display_name + ' is ready and you are signed in as its Account owner.';
    // On to the admin UI (signed in by the cookie this answer set; the sign-in page, email filled,
    // if the browser refused it). Without a built UI, say where to go instead.
    const ui = await fetch('/sign-in', { method: 'HEAD' }).catch(() => null);
    if (ui && ui.ok) location.replace('/sign-in?next=%2Fadministrators&email=' + encodeURIComponent(v('email')));
    else message.textContent += ' The web UI is not built (npm run build); the API and its documentation are at /docs.';
  }
  else { message.className = 'error'; message.textContent = body.detail || 'Setup failed.'; }
});
</script></body></html>`;
