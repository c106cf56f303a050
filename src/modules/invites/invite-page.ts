/**
 * The page behind an administrator's invitation link: choose a password, then sign in. Small and
 * dependency-free; the token stays in the URL fragment and goes only in the POST body.
 */
export const INVITE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Accept your invitation</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
label{display:block;margin-top:.75rem;font-weight:600}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
button{margin-top:1.25rem;padding:.6rem 1.2rem;font:inherit;cursor:pointer}.error{color:#b00020}.hint{color:#555;font-size:.9rem}
</style></head><body>
<h1>Accept your invitation</h1>
<form id="accept">
<label for="password">Choose a password</label>
<input id="password" type="password" required minlength="15" autocomplete="new-password" aria-describedby="hint">
<p id="hint" class="hint">At least 15 characters; a few unrelated words work well. Common passwords are refused.</p>
<button type="submit">Save and continue</button>
<p id="message" role="status" aria-live="polite"></p>
</form>
<script>
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const message = document.getElementById('message');
if (!token) { message.className = 'error'; message.textContent = 'This page needs the link from your invitation (it ends with #token=…).'; }
document.getElementById('accept').addEventListener('submit', async (event) => {
  event.preventDefault();
  const res = await fetch('/v1/invites/accept', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, password: document.getElementById('password').value }) });
  const body = await res.json();
  if (res.ok) { history.replaceState(null, '', '/invite'); message.className = ''; message.textContent = 'Done. Sign in as ' + body.email + ' with your new password.'; }
  else { message.className = 'error'; message.textContent = body.detail || 'That did not work.'; }
});
</script></body></html>`;
