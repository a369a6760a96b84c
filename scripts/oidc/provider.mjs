// A real OpenID Connect provider on loopback for the sign-in tests: the certified
// `oidc-provider` package with its development login pages (any login name, any password).
//
//   node scripts/oidc/provider.mjs PORT CONFIG.json
//
// CONFIG.json: {"client_id", "client_secret", "redirect_uris": [...],
// "post_logout_redirect_uris": [...], "accounts": {"<login>": {claims}}}. The accounts are
// read again at every sign-in, so a test can change a person's claims between two sign-ins.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const [port, configFile] = process.argv.slice(2);
const readConfig = () => JSON.parse(readFileSync(configFile, 'utf8'));
const config = readConfig();

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: config.redirect_uris,
    post_logout_redirect_uris: config.post_logout_redirect_uris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  jwks: { keys: [signingKey] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'roles', 'dept_codes'],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, id) {
    const claims = readConfig().accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`listening on ${port}\n`);
});
