import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { CliError, print, readStdin } from './output.js';

type Env = Record<string, string | undefined>;

interface TokenOptions { username: string; application?: string; scope?: string; url?: string; json?: boolean }

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they go into Basic. */
function clientSecretBasic(clientId: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replaceAll('%20', '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`, 'utf8').toString('base64')}`;
}

/**
 * `apiusers token`: a real client credentials grant against a running server, as an integration
 * would make it; the secret (password or API key) comes from standard input, never argv.
 * @example registerToken(program, process.env);
 */
export function registerToken(program: Command, env: Env): void {
  program
    .command('token')
    .description('Get an OAuth access token for an API user from a running server (client credentials; the password or API key is read from standard input)')
    .requiredOption('--username <username>', 'the API user (apiuser-…@…), its OAuth client id')
    .option('--application <key>', 'the external application the token is for (default httpapi)')
    .option('--scope <scope>', 'space-separated scopes, e.g. "app:httpapi account:read" (default: both)')
    .option('--url <url>', 'the server (default: PUBLIC_URL, else http://127.0.0.1:3000)')
    .option('--json', 'print the whole token response')
    .addHelpText('after', '\nExample:\n  $ printf %s "$SECRET" | apiusers token --username apiuser-038271645590@apiconnector.example --application salesforce')
    .action(async (options: TokenOptions) => {
      const secret = await readStdin();
      if (secret === '') throw new CliError('Send the API user\'s password or API key on standard input.', 2);
      const base = (options.url ?? loadConfig(env).publicUrl).replace(/\/$/, '');
      if (!/^https?:\/\/[^\s/]+/.test(base)) throw new CliError(`--url must be an http(s) address, not "${base}"`, 2);
      const params = new URLSearchParams({ grant_type: 'client_credentials' });
      if (options.application) params.set('resource', options.application);
      if (options.scope) params.set('scope', options.scope);
      let response: Response;
      try {
        response = await fetch(`${base}/oauth/token`, {
          method: 'POST', body: params,
          headers: { authorization: clientSecretBasic(options.username, secret), accept: 'application/json' },
        });
      } catch (error) {
        throw new CliError(`Cannot reach ${base}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
      }
      const body = await response.json().catch(() => null) as { access_token?: string; error?: string; error_description?: string } | null;
      if (!response.ok || !body?.access_token) {
        throw new CliError(body?.error ? `${body.error}: ${body.error_description ?? ''}`.trim() : `${base}/oauth/token answered ${response.status}`);
      }
      print(!!options.json, body, () => body.access_token!);
    });
}
