// A real OpenID provider for the single sign-on tests: panva's oidc-provider (a certified
// implementation, npm devDependency) on a loopback port. Started by tests/oidc_server.py.
//
//   node tests/oidc_provider.mjs '{"port": 4567, "redirect_uris": [...], "accounts": {...}}'
//
// Two clients: "eventsvc" gets its userinfo signed (application/jwt), as ProConnect does;
// "eventsvc-json" gets it as plain JSON, as most providers do. Its own login and consent pages
// (devInteractions) take any login name: the accounts are the configuration's, keyed by it.
// Prints "listening <issuer>" once it accepts connections.
import Provider from "oidc-provider";

const config = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts;
// "client_secret_basic" (the default) or "client_secret_post": the only method offered.
const authMethod = config.auth_method || "client_secret_basic";

const client = (clientId, signed) => ({
  client_id: clientId,
  client_secret: config.client_secret,
  redirect_uris: config.redirect_uris,
  post_logout_redirect_uris: config.post_logout_redirect_uris || [],
  grant_types: ["authorization_code"],
  response_types: ["code"],
  token_endpoint_auth_method: authMethod,
  ...(signed ? { userinfo_signed_response_alg: "RS256" } : {}),
});

const provider = new Provider(issuer, {
  clients: [client("eventsvc", true), client("eventsvc-json", false)],
  clientAuthMethods: [authMethod],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    // ProConnect's claims: usual_name (nom d'usage) and the SIRET of the agent's organisation.
    profile: ["given_name", "family_name", "usual_name", "siret"],
  },
  features: {
    devInteractions: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // Short-lived codes, as in production; the tests replay one to see it refused.
  ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, IdToken: 600 },
  async findAccount(ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
});

// Quiet: the test reads only the line below on stdout.
provider.on("server_error", (ctx, error) => console.error("server_error", error));

provider.listen(config.port, "127.0.0.1", () => {
  console.log(`listening ${issuer}`);
});
