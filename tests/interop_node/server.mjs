// panva/oidc-provider (a certified OpenID Provider, Node.js) as a
// third-party authorization server for the oauth2-pkce interop tests.
//
// Started by tests/interop_node_common/mod.rs: binds 127.0.0.1 on a free
// port, prints `READY http://127.0.0.1:PORT` (the issuer) on stdout once it
// listens, logs one line per request to stderr, and exits when its stdin
// closes (so a test process that dies leaves nothing behind).
//
// oidc-provider is pinned to 8.8.1 (package-lock.json): the 9.x line
// declares Node.js 22+ (it warns "Unsupported runtime" on Node 20), while
// 8.x supports Node 18 and later. 8.x serves the OpenID discovery document
// only (`/.well-known/oauth-authorization-server` is 404 before 9.x).
//
// What it is configured for, and why:
//
// - PKCE required for every client, S256 only (`pkce`): `plain` is
//   `invalid_request` at the authorization endpoint.
// - RFC 9207: oidc-provider puts `iss` in every authorization response
//   (success and error) that carries no ID Token, and says so in its
//   discovery document; nothing to configure.
// - Refresh tokens for every code grant of a client allowed the
//   `refresh_token` grant (`issueRefreshToken`), without the
//   `offline_access` scope/consent dance, and rotated on every use
//   (`rotateRefreshToken: true`). Reusing a rotated refresh token is
//   `invalid_grant` *and revokes the whole grant* (oidc-provider's
//   refresh-token-reuse detection).
// - RFC 7009 revocation, client credentials, RFC 9126 PAR (on by default;
//   `par-client` has `require_pushed_authorization_requests`).
// - Resource indicators off: an access token with `openid` is for the
//   provider's own userinfo endpoint (`/me`), the protected resource the
//   user flows call. `/api/me` (ours, below) looks an access token or a
//   client credentials token up in the provider's store, for the machine
//   flow whose tokens userinfo does not take.
// - Clients (all with redirect URI `http://127.0.0.1/callback` and those in
//   `EXTRA_REDIRECT_URIS`, which
//   oidc-provider allows for web clients unless they use implicit):
//   `basic-client` (client_secret_basic), `post-client`
//   (client_secret_post), `public-client` (none, `application_type:
//   native`), `par-client` (client_secret_basic, PAR required),
//   `jwt-client` (private_key_jwt: an ES256 and an Ed25519 key),
//   `hs-client` (client_secret_jwt), `userinfo-jwt-client`
//   (client_secret_basic, `userinfo_signed_response_alg: RS256`: its
//   UserInfo answers are signed JWTs, `features.jwtUserinfo`). Every
//   client has the post-logout redirect URI `http://127.0.0.1/logged-out`
//   (RP-Initiated Logout 1.0, on by default at `/session/end`);
//   `basic-client` has a back channel (Back-Channel Logout 1.0, with
//   `sid`) at `/interop/backchannel-logout`, which keeps the bodies it
//   receives for the tests to `GET`, and with `BACKCHANNEL_FORWARD_URI`
//   (a web app under test) hands each on there, answering with its
//   status. DPoP (RFC 9449) is on for every
//   client; with `DPOP_REQUIRE_NONCE=1` every proof needs a server nonce.
//   Note that
//   oidc-provider accepts either secret method from a client registered
//   with the other.
// - Login and consent without a browser: `/interaction/:uid` logs the
//   fixed test user in and grants what the request asked, answering with
//   oidc-provider's redirect; a cookie-jar client following redirects from
//   the authorization URL ends at the redirect to the client's redirect URI.
//   An authorization request with `test_consent=deny` gets `access_denied`.
// - Bad ID tokens on demand: after `POST /interop/forge-id-token`
//   (`?kind=none`, the default: the next ID token unsigned, `alg` `none`;
//   `?kind=tampered`: its payload changed, the signature kept), the next
//   token response with an `id_token` carries that one instead.
// - RFC 8628, the device authorization grant (`features.deviceFlow`), for
//   `device-client` (client_secret_basic, refresh tokens),
//   `device-slow-client` (none) and `device-short-client`
//   (client_secret_basic, device codes that live DEVICE_SHORT_TTL seconds).
//   The user's side is oidc-provider's own: the verification URI's form
//   (with an `xsrf` field) takes the user code, a confirmation form
//   (`confirm=yes`, or `abort=yes` to deny) follows, then the same
//   interactions as a login.
// - RFC 8628 §3.5's polling pace, which oidc-provider 8.x leaves to the
//   deployment (it never sends `slow_down`), is kept here in front of the
//   token endpoint (`devicePoll`): a device code polled sooner than its
//   interval (5 s, the default, as oidc-provider sends no `interval`)
//   since its last poll gets `slow_down` and 5 s more, logged as
//   `device poll too soon`; `device-slow-client`'s first poll is told to
//   slow down whatever its pace, so a client must be seen to obey it.
// - RFC 7662 introspection (`features.introspection`): any confidential
//   client may introspect any token. `short-lived-client`'s client
//   credentials tokens live SHORT_TOKEN_TTL seconds, to see one expire.
// - With `RESOURCE_INDICATORS=1` (a server of its own in the tests):
//   RFC 8707 resource indicators, for one resource server, `/mcp` below
//   (scopes `files:read files:write`, JWT access tokens whose `aud` is
//   the resource), and RFC 7591 open dynamic registration (`/reg`). Off
//   otherwise, because with resource indicators on an access token asked
//   for a resource is no longer one the userinfo endpoint takes.
// - A protected resource in the style of the Model Context Protocol
//   (RFC 9728), served beside the provider: `/mcp` answers a request
//   without a token with `401` and `resource_metadata`, wants `files:read`
//   (and `/mcp/write` `files:write`, answering `403 insufficient_scope`),
//   and checks the JWT's signature, issuer, audience and expiry;
//   `/.well-known/oauth-protected-resource/mcp` names the provider as its
//   authorization server. `/evil` is an impostor whose metadata names
//   `/mcp` as its resource.
// - With `RICH_AUTHORIZATION_REQUESTS=1` as well (rich authorization
//   requests): RFC 9396 (`features.richAuthorizationRequests`,
//   experimental in 8.x, acknowledged as `experimental-01`) for one type,
//   `payment_initiation`, whose objects need an `instructedAmount` with a
//   three-letter `currency` and a decimal `amount` string and a
//   `creditorName` (else `invalid_authorization_details`), for
//   `rar-client` (client_secret_basic, `authorization_details_types`) and
//   `jar-client` (in its request objects).
//   oidc-provider returns `authorization_details` only with an access
//   token for a resource server, so it needs resource indicators on. The
//   code carries the details asked for; the token response carries them,
//   or the narrower ones the token request asked for, each
//   `payment_initiation` enriched (RFC 9396 §7.1) with the
//   `debtorAccount` the user "picked"; refreshes and introspection show
//   the access token's. Client credentials refuse `authorization_details`
//   in oidc-provider 8.x.
// - Mutual TLS (RFC 8705), when MTLS_DIR names a directory of PEM files
//   the test made (`ca.pem`, `server.pem`, `server.key`, `self.pem`): an
//   HTTPS listener on a second free loopback port, asking for a client
//   certificate (`requestCert`, not rejecting one it cannot verify: that
//   is `certificateAuthorized`'s to say) and serving the same routes; the
//   discovery document's `mtls_endpoint_aliases` point there (§5), the
//   plain endpoints stay. `features.mTLS` with both methods and
//   certificate-bound tokens; `mtls-client` (tls_client_auth, subject
//   `O=oauth2-pkce,CN=mtls-client`, a certificate of `ca.pem`) and
//   `mtls-self-signed-client` (self_signed_tls_client_auth, `self.pem` as
//   the `x5c` of its `jwks`), both with
//   `tls_client_certificate_bound_access_tokens`.
// - OpenID CIBA Core 1.0, poll mode (`features.ciba`), for `ciba-client`
//   (client_secret_basic). The user is `alice` by `login_hint` or by the
//   `login_hint_token` CIBA_HINT_TOKEN (`expired-hint-token` is
//   `expired_login_hint_token`; any other hint `unknown_user_id`); a
//   `user_code`, when sent, must be CIBA_USER_CODE; a `binding_message`
//   at most 32 word characters, spaces, `.`, `:` or `-`. Every accepted
//   request is logged `ciba trigger: …` (the authentication device). The
//   user's side: `POST /interop/ciba?auth_req_id=…&decision=approve` (or
//   `deny`) grants the scope asked for (or refuses) with
//   `provider.backchannelResult`. oidc-provider sends no `interval` (so
//   5 s) and honours `requested_expiry` (at most 600 s). Ping mode for
//   `ciba-ping-client`: oidc-provider requires an `https` notification
//   endpoint, so it is registered as CIBA_NOTIFY_URI, whose host
//   `httpOptions` sends to this server over plain TCP on loopback;
//   `/interop/ciba-notification` keeps each notification it receives
//   (`authorization` header and body) for the tests to `GET`.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import * as net from 'node:net';

import Provider, { errors } from 'oidc-provider';

const REDIRECT_URI = 'http://127.0.0.1/callback';
const POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1/logged-out';
// More redirect URIs for every client, space-separated: a web app under
// test registers its own `/callback` on its port.
const EXTRA_REDIRECT_URIS = (process.env.EXTRA_REDIRECT_URIS ?? '').split(' ').filter(Boolean);
const TEST_USER = 'alice';
const ACCESS_TOKEN_LIFETIME = 3600;
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const DEVICE_SHORT_TTL = 8;
const DEVICE_INTERVAL = 5;
const SHORT_TOKEN_TTL = 2;
const RESOURCE_INDICATORS = process.env.RESOURCE_INDICATORS === '1';
// Rich authorization requests (RFC 9396): see the header comment.
const RICH_AUTHORIZATION_REQUESTS = process.env.RICH_AUTHORIZATION_REQUESTS === '1';
const DEBTOR_ACCOUNT = { iban: 'DE40100100103307118608', user_role: 'owner' };
const BACKCHANNEL_FORWARD_URI = process.env.BACKCHANNEL_FORWARD_URI;
// OpenID CIBA Core 1.0.
const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';
const CIBA_HINT_TOKEN = 'hint-token-for-alice';
const CIBA_USER_CODE = 'alice-code-1234';
const CIBA_NOTIFY_HOST = 'ciba-notification.test';
const CIBA_NOTIFY_URI = `https://${CIBA_NOTIFY_HOST}/interop/ciba-notification`;
// The keys of the provider's cookies, the same across key rotations: a
// browser's session at the provider outlives a rotation, as it would a
// restart with a new signing key.
const COOKIE_KEYS = [crypto.randomBytes(32).toString('base64url')];
const RESOURCE_SCOPES = 'files:read files:write';
// The provider's signing key, public half: the resource checks JWT access
// tokens with it.
let tokenVerificationKey;

const clients = [
  {
    client_id: 'basic-client',
    client_secret: 'basic-secret',
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    client_id: 'post-client',
    client_secret: 'post-secret',
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    client_id: 'public-client',
    token_endpoint_auth_method: 'none',
    // RFC 8252: a native app's loopback redirect URI (any port matches).
    application_type: 'native',
  },
  {
    client_id: 'par-client',
    client_secret: 'par-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    require_pushed_authorization_requests: true,
  },
  {
    client_id: 'device-client',
    client_secret: 'device-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'device-slow-client',
    token_endpoint_auth_method: 'none',
    grant_types: [DEVICE_CODE_GRANT],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'device-short-client',
    client_secret: 'device-short-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [DEVICE_CODE_GRANT],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'short-lived-client',
    client_secret: 'short-lived-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    client_id: 'jwt-client',
    token_endpoint_auth_method: 'private_key_jwt',
    // The public halves of RFC 7515 A.3's P-256 key and RFC 8037 A.1's
    // Ed25519 key: the tests sign with their private halves.
    jwks: {
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          kid: 'es256',
          x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
          y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        },
        { kty: 'OKP', crv: 'Ed25519', kid: 'ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
      ],
    },
  },
  {
    // OpenID Connect Core §5.3.2: its UserInfo answers are signed JWTs.
    client_id: 'userinfo-jwt-client',
    client_secret: 'userinfo-jwt-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    userinfo_signed_response_alg: 'RS256',
  },
  {
    // RFC 9701: a resource server whose introspection answers are JWTs.
    client_id: 'jwt-introspection-client',
    client_secret: 'jwt-introspection-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    introspection_signed_response_alg: 'RS256',
    grant_types: [],
    response_types: [],
    redirect_uris: [],
  },
  {
    // RFC 9101: every authorization request a request object signed with
    // RFC 7515 A.3's P-256 key.
    client_id: 'jar-client',
    client_secret: 'jar-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    request_object_signing_alg: 'ES256',
    require_signed_request_object: true,
    jwks: {
      keys: [{
        kty: 'EC',
        crv: 'P-256',
        kid: 'es256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
      }],
    },
  },
  {
    // RFC 8693: trades a user's access token for another; RFC 7523 §2.1:
    // redeems a JWT of the provider for an access token.
    client_id: 'exchange-client',
    client_secret: 'exchange-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [TOKEN_EXCHANGE_GRANT, JWT_BEARER_GRANT],
    response_types: [],
    redirect_uris: [],
  },
  {
    // OpenID Connect Core §10.1: its ID tokens are HS256 over its secret.
    client_id: 'hs-id-token-client',
    client_secret: 'hs-id-token-secret-of-more-than-32-octets',
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'HS256',
  },
  {
    client_id: 'hs-client',
    client_secret: 'hs-secret-long-enough-for-hmac-sha-256-keys',
    token_endpoint_auth_method: 'client_secret_jwt',
  },
  {
    // OpenID CIBA Core 1.0, poll mode.
    client_id: 'ciba-client',
    client_secret: 'ciba-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [CIBA_GRANT, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
    backchannel_token_delivery_mode: 'poll',
    backchannel_user_code_parameter: true,
  },
  {
    // OpenID CIBA Core 1.0, ping mode.
    client_id: 'ciba-ping-client',
    client_secret: 'ciba-ping-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [CIBA_GRANT],
    response_types: [],
    redirect_uris: [],
    backchannel_token_delivery_mode: 'ping',
    backchannel_client_notification_endpoint: CIBA_NOTIFY_URI,
  },
  // Rich authorization requests (RFC 9396): the types it may ask for,
  // registered only where the feature is on (the member is unknown else).
  {
    client_id: 'rar-client',
    client_secret: 'rar-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    ...(RICH_AUTHORIZATION_REQUESTS ? { authorization_details_types: ['payment_initiation'] } : {}),
  },
].map((client) => ({
  redirect_uris: [REDIRECT_URI, ...EXTRA_REDIRECT_URIS],
  // RP-Initiated Logout 1.0 §3: where the browser may come back to.
  post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
  response_types: ['code'],
  grant_types: client.token_endpoint_auth_method === 'none'
    ? ['authorization_code', 'refresh_token']
    : ['authorization_code', 'refresh_token', 'client_credentials'],
  ...client,
}));

// Rich authorization requests (RFC 9396): `jar-client` may send
// `payment_initiation` details too, inside its request objects.
if (RICH_AUTHORIZATION_REQUESTS) {
  clients.find((client) => client.client_id === 'jar-client')
    .authorization_details_types = ['payment_initiation'];
}

function log(line) {
  process.stderr.write(`${line}\n`);
}

// Mutual TLS (RFC 8705): see the header comment.
const MTLS_DIR = process.env.MTLS_DIR;
const mtlsFile = (name) => fs.readFileSync(path.join(MTLS_DIR, name));
if (MTLS_DIR) {
  const selfSigned = new crypto.X509Certificate(mtlsFile('self.pem'));
  clients.push(...[
    {
      client_id: 'mtls-client',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'O=oauth2-pkce,CN=mtls-client',
    },
    {
      client_id: 'mtls-self-signed-client',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: {
        keys: [{
          ...selfSigned.publicKey.export({ format: 'jwk' }),
          x5c: [selfSigned.raw.toString('base64')],
        }],
      },
    },
  ].map((client) => ({
    redirect_uris: [REDIRECT_URI],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    tls_client_certificate_bound_access_tokens: true,
    ...client,
  })));
}
// The HTTPS listener, listening before the provider is made: its origin
// goes into the discovery document.
const mtlsServer = MTLS_DIR
  ? https.createServer({
    ca: mtlsFile('ca.pem'),
    cert: mtlsFile('server.pem'),
    key: mtlsFile('server.key'),
    requestCert: true,
    rejectUnauthorized: false,
  })
  : null;
const mtlsOrigin = mtlsServer
  ? await new Promise((resolve) => {
    mtlsServer.listen(0, '127.0.0.1', () => resolve(`https://127.0.0.1:${mtlsServer.address().port}`));
  })
  : null;

// The client certificate of the request's TLS connection, if any.
function peerCertificate(ctx) {
  const socket = ctx.req.socket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate(false);
  return peer && peer.raw ? new crypto.X509Certificate(peer.raw) : undefined;
}

// RFC 4514's form of a certificate's subject: its RDNs, last first.
function subjectDn(certificate) {
  return certificate.subject.split('\n').reverse().join(',');
}

function mtlsFeature() {
  if (!MTLS_DIR) return { enabled: false };
  return {
    enabled: true,
    certificateBoundAccessTokens: true,
    tlsClientAuth: true,
    selfSignedTlsClientAuth: true,
    getCertificate: peerCertificate,
    // Verified against `ca.pem` by Node's TLS, for tls_client_auth.
    certificateAuthorized: (ctx) => ctx.req.socket.authorized === true,
    certificateSubjectMatches(ctx, property, expected) {
      const certificate = peerCertificate(ctx);
      return property === 'tls_client_auth_subject_dn'
        && certificate !== undefined
        && subjectDn(certificate) === expected;
    },
  };
}

// The provider's configuration for mutual TLS, to spread into the rest:
// the two methods beside the default ones, and (RFC 8705 §5) the
// endpoints a client using mutual TLS is sent to.
function mtlsConfiguration() {
  if (!mtlsOrigin) return {};
  return {
    clientAuthMethods: [
      'client_secret_basic', 'client_secret_jwt', 'client_secret_post', 'private_key_jwt', 'none',
      'tls_client_auth', 'self_signed_tls_client_auth',
    ],
    discovery: {
      mtls_endpoint_aliases: {
        token_endpoint: `${mtlsOrigin}/token`,
        revocation_endpoint: `${mtlsOrigin}/token/revocation`,
        introspection_endpoint: `${mtlsOrigin}/token/introspection`,
        pushed_authorization_request_endpoint: `${mtlsOrigin}/request`,
        device_authorization_endpoint: `${mtlsOrigin}/device/auth`,
        userinfo_endpoint: `${mtlsOrigin}/me`,
      },
    },
  };
}

const server = http.createServer();
// The HTTPS listener serves what the plain one does.
mtlsServer?.on('request', (req, res) => server.emit('request', req, res));
// `PORT` fixes the port (a provider to try the examples against); a free
// one otherwise.
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  let provider = makeProvider(issuer, 'interop');
  let callback = provider.callback();
  let rotations = 0;
  // The signing key rotated (OpenID Connect Core §10.1.1): the provider is
  // made again with a new key of a new `kid`, the old one gone from its
  // key set, as after a restart with a new key. Grants and sessions live
  // in the memory adapter, shared by both.
  const rotateKeys = (req, res) => {
    rotations += 1;
    provider = makeProvider(issuer, `interop-${rotations}`);
    callback = provider.callback();
    res.statusCode = 204;
    res.end();
  };

  // The back channel of `basic-client` (Back-Channel Logout 1.0 §2.5):
  // the provider POSTs its logout tokens here; the tests GET the bodies
  // received, oldest first.
  const logoutRequests = [];
  const backchannelLogout = async (req, res) => {
    if (req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      logoutRequests.push(body);
      res.statusCode = 200;
      if (BACKCHANNEL_FORWARD_URI) {
        const answer = await fetch(BACKCHANNEL_FORWARD_URI, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        });
        log(`backchannel forwarded: ${answer.status} ${await answer.text()}`);
        res.statusCode = answer.status;
      }
      res.end();
    } else {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(logoutRequests));
    }
  };

  // The next ID token, forged: see the header comment.
  let forgeIdToken = null;
  const forgeNextIdToken = (req, res) => {
    forgeIdToken = new URL(req.url, issuer).searchParams.get('kind') ?? 'none';
    res.statusCode = 204;
    res.end();
  };

  // OpenID CIBA Core 1.0: the user decides on their authentication
  // device (see the header comment).
  const cibaDecision = async (req, res) => {
    const params = new URL(req.url, issuer).searchParams;
    const decision = params.get('decision');
    const request = await provider.BackchannelAuthenticationRequest.find(params.get('auth_req_id') ?? '');
    if (!request) {
      res.statusCode = 404;
      return res.end();
    }
    if (decision === 'deny') {
      await provider.backchannelResult(request, new errors.AccessDenied('the test user said no'));
    } else {
      const grant = new provider.Grant({ accountId: request.accountId, clientId: request.clientId });
      grant.addOIDCScope(request.scope);
      await grant.save();
      await provider.backchannelResult(request, grant, { authTime: Math.floor(Date.now() / 1000) });
    }
    log(`ciba decision: ${decision} for ${request.clientId}`);
    res.statusCode = 204;
    return res.end();
  };

  // The ping notifications oidc-provider sent, oldest first.
  const cibaNotifications = [];
  const cibaNotification = async (req, res) => {
    if (req.method === 'POST') {
      let body = '';
      for await (const chunk of req) body += chunk;
      cibaNotifications.push({ authorization: req.headers.authorization ?? null, body });
      res.statusCode = 204;
      return res.end();
    }
    res.setHeader('Content-Type', 'application/json');
    return res.end(JSON.stringify(cibaNotifications));
  };

  server.on('request', (req, res) => {
    const path = (req.url || '').split('?')[0];
    res.on('finish', () => log(`${req.method} ${path} ${res.statusCode}`));
    if (path === '/token' && req.method === 'POST' && forgeIdToken) {
      forgeIdToken = forgeTokenResponse(res, forgeIdToken);
    }
    const handle = path === '/interop/rotate-keys' && req.method === 'POST'
      ? rotateKeys(req, res)
      : path === '/interop/forge-id-token' && req.method === 'POST'
      ? forgeNextIdToken(req, res)
      : path === '/interop/ciba' && req.method === 'POST'
      ? cibaDecision(req, res)
      : path === '/interop/ciba-notification'
      ? cibaNotification(req, res)
      : path === '/interop/backchannel-logout'
      ? backchannelLogout(req, res)
      : path.startsWith('/interaction/')
      ? interaction(provider, req, res)
      : path === '/api/me'
        ? api(provider, req, res)
        : path === '/token' && req.method === 'POST'
          ? devicePoll(callback, req, res)
          : isResourcePath(path)
            ? resource(issuer, path, req, res)
            : callback(req, res);
    Promise.resolve(handle).catch((error) => {
      log(`${req.method} ${path}: ${error?.stack ?? error}`);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'text/plain');
      }
      res.end(String(error));
    });
  });

  process.stdout.write(`READY ${issuer}\n`);
});

// Exit when the test harness goes away.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

function makeProvider(issuer, kid) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  tokenVerificationKey = crypto.createPublicKey(privateKey);
  const mcp = `${issuer}/mcp`;
  const provider = new Provider(issuer, {
    // `basic-client` gets the provider's logout tokens on its back channel.
    clients: clients.map((client) => (client.client_id === 'basic-client'
      ? {
        ...client,
        backchannel_logout_uri: `${issuer}/interop/backchannel-logout`,
        backchannel_logout_session_required: true,
      }
      : client)),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), use: 'sig', kid }] },
    cookies: { keys: COOKIE_KEYS },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: { openid: ['sub'], profile: ['name'], email: ['email', 'email_verified'] },
    extraParams: ['test_consent'],
    // The defaults, and HS256 for `hs-id-token-client` (Core §10.1).
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'] },
    findAccount(ctx, sub) {
      return {
        accountId: sub,
        claims: () => ({
          sub,
          name: 'Alice Liddell',
          email: 'alice@example.com',
          email_verified: true,
        }),
      };
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      clientCredentials: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      // RFC 9101: request objects by value and pushed; in 'strict' mode
      // only the object's parameters count.
      requestObjects: { request: true, mode: 'strict' },
      // OpenID JARM: `response_mode` `jwt`, `query.jwt`, `form_post.jwt`.
      jwtResponseModes: { enabled: true },
      // RFC 9701, for clients registered with introspection_signed_response_alg.
      jwtIntrospection: { enabled: true },
      resourceIndicators: {
        enabled: RESOURCE_INDICATORS,
        // No `resource` asked for: a token for the provider itself (userinfo).
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo(ctx, indicator) {
          if (indicator !== mcp) throw new errors.InvalidTarget();
          return {
            scope: RESOURCE_SCOPES,
            audience: mcp,
            accessTokenTTL: ACCESS_TOKEN_LIFETIME,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      registration: { enabled: RESOURCE_INDICATORS },
      // Rich authorization requests (RFC 9396): see the header comment.
      richAuthorizationRequests: richAuthorizationRequests(),
      // RFC 9449. Nonces are required when DPOP_REQUIRE_NONCE=1 (a
      // second server in the tests), so that both paths are exercised.
      dPoP: {
        enabled: true,
        nonceSecret: crypto.randomBytes(32),
        requireNonce: () => process.env.DPOP_REQUIRE_NONCE === '1',
      },
      userinfo: { enabled: true },
      // Signed UserInfo answers for clients registered for them.
      jwtUserinfo: { enabled: true },
      // Back-Channel Logout 1.0, for `basic-client`.
      backchannelLogout: { enabled: true },
      deviceFlow: { enabled: true },
      introspection: { enabled: true },
      // Mutual TLS (RFC 8705).
      mTLS: mtlsFeature(),
      // OpenID CIBA Core 1.0: see the header comment.
      ciba: {
        enabled: true,
        deliveryModes: ['poll', 'ping'],
        async processLoginHint(ctx, loginHint) {
          return loginHint === TEST_USER ? TEST_USER : undefined;
        },
        async processLoginHintToken(ctx, loginHintToken) {
          if (loginHintToken === 'expired-hint-token') {
            throw new errors.ExpiredLoginHintToken('the login_hint_token has expired');
          }
          return loginHintToken === CIBA_HINT_TOKEN ? TEST_USER : undefined;
        },
        async validateBindingMessage(ctx, bindingMessage) {
          if (bindingMessage !== undefined && !/^[\w .:-]{1,32}$/.test(bindingMessage)) {
            throw new errors.InvalidBindingMessage('at most 32 word characters, spaces, ".", ":" or "-"');
          }
        },
        async validateRequestContext() {},
        // 8.8.1 passes the hint's value here: the user code is read from
        // the request itself.
        async verifyUserCode(ctx) {
          const userCode = ctx.oidc.params.user_code;
          if (userCode !== undefined && userCode !== CIBA_USER_CODE) {
            throw new errors.InvalidUserCode('not the user code of this user');
          }
        },
        async triggerAuthenticationDevice(ctx, request, account, client) {
          log(`ciba trigger: ${account.accountId} for ${client.clientId} scope="${request.scope}" binding_message="${request.params.binding_message ?? ''}" requested_expiry=${request.params.requested_expiry ?? '-'}`);
        },
      },
    },
    ...mtlsConfiguration(),
    pkce: { methods: ['S256'], required: () => true },
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: ACCESS_TOKEN_LIFETIME,
      AuthorizationCode: 60,
      ClientCredentials: (ctx, token, client) => (
        client.clientId === 'short-lived-client' ? SHORT_TOKEN_TTL : 600
      ),
      DeviceCode: (ctx, token, client) => (
        client.clientId === 'device-short-client' ? DEVICE_SHORT_TTL : 600
      ),
      Grant: 86400,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86400,
      Session: 86400,
    },
    // CIBA ping notifications: see the header comment.
    httpOptions(url) {
      return url.hostname === CIBA_NOTIFY_HOST ? { agent: loopbackAgent(issuer) } : {};
    },
    // Our crate's requests never need these; the defaults only warn.
    clientBasedCORS: () => false,
    renderError(ctx, out, error) {
      ctx.type = 'application/json';
      ctx.body = out;
      log(`renderError: ${JSON.stringify(out)} ${error?.message ?? ''}`);
    },
  });
  provider.on('server_error', (ctx, error) => log(`server_error: ${error?.stack ?? error}`));
  // The reason behind each error answer (the answers themselves are vague
  // on purpose), for the tests and for a failing test's log.
  for (const event of [
    'authorization.error',
    'grant.error',
    'pushed_authorization_request.error',
    'revocation.error',
    'userinfo.error',
    'end_session.error',
    'backchannel.error',
    'introspection.error',
    'code_verification.error',
    'client_credentials.error',
    // OpenID CIBA Core 1.0.
    'backchannel_authentication.error',
  ]) {
    provider.on(event, (ctx, error) => log(`${event}: ${error.message} ${error.error_description ?? ''} ${error.error_detail ?? ''}`));
  }
  registerTokenExchange(provider, privateKey, kid);
  return provider;
}

// Replaces the `id_token` of the token response `res` is about to send
// with a forged one of `kind` (`none`: unsigned; `tampered`: another
// `name`, the signature kept). Returns what is left to forge: nothing.
function forgeTokenResponse(res, kind) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    let body;
    try {
      body = JSON.parse(Buffer.from(chunk ?? '').toString());
    } catch {
      return end(chunk, ...rest);
    }
    if (typeof body.id_token === 'string') {
      const [header, payload, signature] = body.id_token.split('.');
      const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const claims = JSON.parse(Buffer.from(payload, 'base64url'));
      body.id_token = kind === 'tampered'
        ? `${header}.${encode({ ...claims, name: 'Mallory' })}.${signature}`
        : `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`;
      log(`forged id_token: ${kind}`);
    }
    const forged = JSON.stringify(body);
    res.setHeader('Content-Length', Buffer.byteLength(forged));
    return end(forged, ...rest);
  };
  return null;
}

// Rich authorization requests (RFC 9396), on with
// RICH_AUTHORIZATION_REQUESTS=1: see the header comment.
function richAuthorizationRequests() {
  if (!RICH_AUTHORIZATION_REQUESTS) return { enabled: false };
  const parse = (json) => (json ? JSON.parse(json) : undefined);
  // §7.1: a payment initiation comes back with the account the user chose.
  const enrich = (details) => details?.map((detail) => (
    detail.type === 'payment_initiation' ? { ...detail, debtorAccount: DEBTOR_ACCOUNT } : detail
  ));
  return {
    enabled: true,
    ack: 'experimental-01',
    types: {
      payment_initiation: {
        validate(ctx, detail) {
          const amount = detail.instructedAmount;
          const valid = amount && typeof amount === 'object'
            && typeof amount.currency === 'string' && /^[A-Z]{3}$/.test(amount.currency)
            && typeof amount.amount === 'string' && /^\d+(\.\d{1,2})?$/.test(amount.amount)
            && typeof detail.creditorName === 'string' && detail.creditorName.length > 0;
          if (!valid) {
            throw new errors.InvalidAuthorizationDetails('payment_initiation needs instructedAmount {currency, amount} and creditorName');
          }
        },
      },
    },
    // The details asked for, kept with the code.
    rarForAuthorizationCode: (ctx) => parse(ctx.oidc.params.authorization_details),
    // The token request's narrower details (§6) or the code's, enriched.
    rarForCodeResponse: (ctx) => enrich(
      parse(ctx.oidc.params.authorization_details) ?? ctx.oidc.authorizationCode.rar,
    ),
    rarForRefreshTokenResponse: (ctx) => enrich(
      parse(ctx.oidc.params.authorization_details) ?? ctx.oidc.refreshToken.rar,
    ),
    rarForIntrospectionResponse: (ctx, token) => token.rar,
  };
}

// RFC 8693 token exchange and the RFC 7523 JWT bearer grant, which
// oidc-provider leaves to custom grant types. Token exchange: the subject
// token must be an access token of this provider (a user's); an actor token, when sent, with its type (§2.1). Issued: a new
// access token of the subject for the exchanging client, or with
// `requested_token_type` jwt an RS256 JWT of the provider's key that is
// not an access token (`token_type: N_A`, §2.2.1) naming the actor in
// `act` (§4.1).
function registerTokenExchange(provider, privateKey, kid) {
  const invalid = (description) => new errors.InvalidRequest(description);
  async function handler(ctx, next) {
    const { params, client } = ctx.oidc;
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
      throw invalid('subject_token_type must be the access token type');
    }
    if (Boolean(params.actor_token) !== Boolean(params.actor_token_type)) {
      throw invalid('actor_token and actor_token_type go together');
    }
    const subject = await provider.AccessToken.find(params.subject_token);
    if (!subject || subject.isExpired) {
      throw new errors.InvalidGrant('subject_token is not an active access token');
    }
    const audience = params.audience ? [params.audience].flat() : [];
    log(`token-exchange: subject ${subject.accountId} for ${client.clientId} audience=${audience.join(',')} actor=${params.actor_token ? 'yes' : 'no'} requested=${params.requested_token_type ?? '-'}`);
    if (params.requested_token_type === JWT_TYPE) {
      const now = Math.floor(Date.now() / 1000);
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' })).toString('base64url');
      const claims = {
        iss: provider.issuer,
        sub: subject.accountId,
        aud: audience.length === 1 ? audience[0] : audience,
        iat: now,
        exp: now + 300,
        ...(params.actor_token ? { act: { sub: client.clientId } } : {}),
      };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      const signature = crypto.sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), privateKey)
        .toString('base64url');
      ctx.body = {
        access_token: `${header}.${payload}.${signature}`,
        issued_token_type: JWT_TYPE,
        token_type: 'N_A',
        expires_in: 300,
      };
    } else if (params.requested_token_type && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw invalid('requested_token_type not supported');
    } else {
      const token = new provider.AccessToken({
        accountId: subject.accountId,
        client,
        grantId: subject.grantId,
        gty: 'token-exchange',
        scope: params.scope ?? subject.scope,
      });
      const value = await token.save();
      ctx.body = {
        access_token: value,
        issued_token_type: ACCESS_TOKEN_TYPE,
        token_type: 'Bearer',
        expires_in: token.expiration,
        scope: token.scope,
      };
    }
    ctx.set('Cache-Control', 'no-store');
    await next();
  }
  // RFC 7523 §2.1: a JWT of this provider's key for this provider
  // (`aud` its issuer, §3 items 3 and 4), unexpired, redeemed for an
  // access token of its `sub`.
  async function jwtBearer(ctx, next) {
    const { params, client } = ctx.oidc;
    const claims = verifyJwt(params.assertion);
    const now = Math.floor(Date.now() / 1000);
    const audiences = claims ? [claims.aud].flat() : [];
    if (!claims || !audiences.includes(provider.issuer) || !(claims.exp > now) || !claims.sub) {
      throw new errors.InvalidGrant('the assertion is not a valid JWT for this issuer');
    }
    log(`jwt-bearer: ${claims.sub} for ${client.clientId}`);
    const token = new provider.AccessToken({
      accountId: claims.sub,
      client,
      gty: 'jwt-bearer',
      scope: params.scope ?? 'openid',
    });
    const value = await token.save();
    ctx.body = {
      access_token: value,
      token_type: 'Bearer',
      expires_in: token.expiration,
      scope: token.scope,
    };
    ctx.set('Cache-Control', 'no-store');
    await next();
  }
  provider.registerGrantType(JWT_BEARER_GRANT, jwtBearer, ['assertion', 'scope']);
  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, handler, [
    'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type',
    'requested_token_type', 'audience', 'resource', 'scope',
  ], ['audience', 'resource']);
}

// The whole user interaction, automated: log the test user in, then grant
// what the client asked for (or deny, when asked to).
async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, grantId } = details;

  if (params.test_consent === 'deny') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'the test user said no',
    }, { mergeWithLastSubmission: false });
  }

  switch (prompt.name) {
    case 'login':
      return provider.interactionFinished(req, res, {
        login: { accountId: TEST_USER },
      }, { mergeWithLastSubmission: false });
    case 'consent': {
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      // Rich authorization requests: the user grants the details asked for.
      for (const detail of prompt.details.rar ?? []) grant.addRar(detail);
      const saved = await grant.save();
      return provider.interactionFinished(req, res, {
        consent: { grantId: saved },
      }, { mergeWithLastSubmission: true });
    }
    default:
      throw new Error(`unexpected prompt ${prompt.name}`);
  }
}

// A protected resource of our own: the bearer token looked up in the
// provider's store (a user's access token or a client credentials token).
async function api(provider, req, res) {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer ([^\s]+)$/i.exec(header);
  const send = (status, body, challenge) => {
    res.statusCode = status;
    if (challenge) res.setHeader('WWW-Authenticate', challenge);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(body));
  };
  if (!match) {
    return send(401, { error: 'invalid_request' }, 'Bearer realm="api"');
  }
  const value = match[1];
  const token = (await provider.AccessToken.find(value))
    ?? (await provider.ClientCredentials.find(value));
  if (!token || token.isExpired) {
    const description = 'the access token is expired, revoked, malformed, or unknown';
    return send(
      401,
      { error: 'invalid_token', error_description: description },
      `Bearer realm="api", error="invalid_token", error_description="${description}"`,
    );
  }
  return send(200, {
    sub: token.accountId ?? null,
    client_id: token.clientId,
    scope: token.scope ?? '',
    kind: token.kind,
  });
}

// RFC 8628 §3.5's pace in front of the token endpoint: when each device
// code was last polled, and its interval. The body is read here and handed
// on as `req.body`, which oidc-provider's parser takes when the stream is
// spent.
const polls = new Map();

async function devicePoll(callback, req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString();
  req.body = body;
  const params = new URLSearchParams(body);
  if (params.get('grant_type') !== DEVICE_CODE_GRANT) {
    return callback(req, res);
  }
  const code = params.get('device_code') ?? '';
  const now = Date.now();
  const seen = polls.get(code);
  let slowDown = false;
  if (seen) {
    const elapsed = now - seen.last;
    if (elapsed < seen.interval * 1000) {
      log(`device poll too soon: ${elapsed} ms after the last, interval ${seen.interval} s`);
      slowDown = true;
    }
    seen.last = now;
  } else {
    polls.set(code, { last: now, interval: DEVICE_INTERVAL });
    slowDown = params.get('client_id') === 'device-slow-client';
  }
  if (!slowDown) {
    return callback(req, res);
  }
  const entry = polls.get(code);
  entry.interval += 5;
  log(`device poll: slow_down, interval now ${entry.interval} s`);
  res.statusCode = 400;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  return res.end(JSON.stringify({ error: 'slow_down' }));
}

// The protected resource (RFC 9728, RFC 6750): see the header comment.
function isResourcePath(path) {
  return path === '/mcp' || path === '/mcp/write' || path === '/evil'
    || path.startsWith('/.well-known/oauth-protected-resource');
}

function resource(issuer, path, req, res) {
  const mcp = `${issuer}/mcp`;
  const metadataUrl = (name) => `${issuer}/.well-known/oauth-protected-resource/${name}`;
  const send = (status, body, challenge) => {
    res.statusCode = status;
    if (challenge) res.setHeader('WWW-Authenticate', challenge);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify(body));
  };
  const document = {
    authorization_servers: [issuer],
    scopes_supported: RESOURCE_SCOPES.split(' '),
    bearer_methods_supported: ['header'],
    resource_name: 'interop files',
  };
  if (path === '/.well-known/oauth-protected-resource/mcp') {
    return send(200, { resource: mcp, ...document });
  }
  if (path === '/.well-known/oauth-protected-resource/evil') {
    // Names another resource than the one it is the metadata of.
    return send(200, { resource: mcp, ...document });
  }
  if (path.startsWith('/.well-known/oauth-protected-resource')) {
    return send(404, { error: 'not_found' });
  }
  if (path === '/evil') {
    return send(401, { error: 'invalid_request' }, `Bearer resource_metadata="${metadataUrl('evil')}"`);
  }
  const needed = path === '/mcp/write' ? 'files:read files:write' : 'files:read';
  const challenge = (params) => `Bearer resource_metadata="${metadataUrl('mcp')}", ${params}`;
  const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
  if (!match) {
    return send(401, { error: 'invalid_request' }, challenge(`scope="${needed}"`));
  }
  const claims = verifyJwt(match[1]);
  const audience = claims && [].concat(claims.aud ?? []);
  if (!claims || claims.iss !== issuer || !audience.includes(mcp)
      || !(claims.exp > Date.now() / 1000)) {
    const description = 'not a valid access token for this resource';
    return send(401, { error: 'invalid_token', error_description: description },
      challenge(`error="invalid_token", error_description="${description}"`));
  }
  const granted = (claims.scope ?? '').split(' ');
  if (!needed.split(' ').every((scope) => granted.includes(scope))) {
    return send(403, { error: 'insufficient_scope' },
      challenge(`error="insufficient_scope", scope="${needed}"`));
  }
  return send(200, { sub: claims.sub, client_id: claims.client_id, scope: claims.scope, aud: claims.aud });
}

// An RS256 JWT's claims when its signature is the provider's, else null.
function verifyJwt(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url'));
    if (header.alg !== 'RS256') return null;
    const valid = crypto.verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`),
      tokenVerificationKey, Buffer.from(parts[2], 'base64url'));
    return valid ? JSON.parse(Buffer.from(parts[1], 'base64url')) : null;
  } catch {
    return null;
  }
}

// OpenID CIBA Core 1.0: an agent for `https` URLs that connects to this
// server on loopback without TLS (the ping notification endpoint must be
// `https` to oidc-provider; the tests have no certificate).
function loopbackAgent(issuer) {
  const { port } = new URL(issuer);
  return new (class extends https.Agent {
    createConnection(options, callback) {
      const socket = net.connect(Number(port), '127.0.0.1');
      if (callback) socket.once('connect', () => callback(null, socket));
      return socket;
    }
  })();
}
