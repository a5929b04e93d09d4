//! The authorization server proper: oxide-auth's primitives and flows, one method per endpoint.

use std::io;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::Utc;
use oxide_auth::endpoint::{
    is_authorization_method, AccessTokenFlow, AuthorizationFlow, ClientCredentialsFlow, OAuthError,
    OwnerConsent, RefreshFlow, Solicitation,
};
use oxide_auth::frontends::simple::endpoint::{Error as FlowError, FnSolicitor, Generic, Vacant};
use oxide_auth::frontends::simple::extensions::{AddonList, Extended, Pkce};
use oxide_auth::primitives::authorizer::AuthMap;
use oxide_auth::primitives::generator::RandomGenerator;
use oxide_auth::primitives::issuer::{Issuer, TokenMap};
use oxide_auth::primitives::registrar::{
    Client, ClientMap, ExactUrl, PasswordPolicy, RegisteredUrl, Registrar, RegistrarError,
};
use oxide_auth::primitives::scope::Scope;

use crate::refreshes::RefreshLog;
use crate::web::{HttpRequest, HttpResponse, Malformed, Session};
use crate::{ServerConfig, TEST_USER};

/// The `realm` the protected resource names in its `WWW-Authenticate` challenges.
const REALM: &str = "oauth2-pkce-test-server";

/// Bytes of randomness in each authorization code, access token and refresh token. oxide-auth's
/// `RandomGenerator` encodes them with *standard* base64, so they contain `+`, `/` and `=`.
const TOKEN_BYTES: usize = 24;

pub(crate) struct OAuth {
    registrar: ClientMap,
    authorizer: AuthMap<RandomGenerator>,
    issuer: TokenMap<RandomGenerator>,
    addons: AddonList,
    client_secret_post: bool,
    resource_scope: Scope,
    /// `Some(issuer)` when the authorization response carries RFC 9207 `iss`.
    iss: Option<String>,
    /// What the refresh grant did (this crate's accounting, not oxide-auth's).
    pub(crate) refreshes: RefreshLog,
}

fn invalid_input(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what)
}

fn parse_scope(scope: &str) -> io::Result<Scope> {
    scope
        .parse()
        .map_err(|e| invalid_input(format!("invalid scope {scope:?}: {e:?}")))
}

impl OAuth {
    pub(crate) fn new(config: &ServerConfig, issuer: &str) -> io::Result<Self> {
        let mut registrar = ClientMap::new();
        registrar.set_password_policy(PlainSecret);
        for client in &config.clients {
            let redirect: ExactUrl = client.redirect_uri.parse().map_err(|e| {
                invalid_input(format!(
                    "invalid redirect URI {:?}: {e}",
                    client.redirect_uri
                ))
            })?;
            let redirect = RegisteredUrl::Exact(redirect);
            let scope = parse_scope(&client.scope)?;
            registrar.register_client(match &client.secret {
                Some(secret) => {
                    Client::confidential(&client.client_id, redirect, scope, secret.as_bytes())
                }
                None => Client::public(&client.client_id, redirect, scope),
            });
        }

        let mut issuer_map = TokenMap::new(RandomGenerator::new(TOKEN_BYTES));
        let lifetime = chrono::Duration::from_std(config.access_token_lifetime)
            .map_err(|e| invalid_input(format!("access token lifetime out of range: {e}")))?;
        issuer_map.valid_for(lifetime);

        // PKCE is mandatory and only S256 is accepted (`plain` is off unless `allow_plain()`).
        let mut addons = AddonList::new();
        addons.push_code(Pkce::required());

        Ok(OAuth {
            registrar,
            authorizer: AuthMap::new(RandomGenerator::new(TOKEN_BYTES)),
            issuer: issuer_map,
            addons,
            client_secret_post: config.client_secret_post,
            resource_scope: parse_scope(&config.resource_scope)?,
            iss: config.authorization_response_iss.then(|| issuer.to_owned()),
            refreshes: RefreshLog::default(),
        })
    }

    /// `GET /authorize` (RFC 6749 §4.1.1, RFC 7636 §4.3).
    pub(crate) fn authorize(&mut self, request: HttpRequest) -> HttpResponse {
        let endpoint = Generic {
            registrar: &self.registrar,
            authorizer: &mut self.authorizer,
            issuer: Vacant,
            solicitor: FnSolicitor(consent),
            scopes: Vacant,
            response: Vacant,
        };
        let result = AuthorizationFlow::prepare(Extended::extend_with(endpoint, &mut self.addons))
            .and_then(|mut flow| flow.execute(request));
        let mut response = result.unwrap_or_else(|e| flow_failure(e, "authorization"));
        if let (Some(iss), Some(location)) = (&self.iss, &mut response.location) {
            // RFC 9207: oxide-auth has no notion of an issuer, so the HTTP layer adds it to every
            // redirect back to the client, success or error alike.
            location.query_pairs_mut().append_pair("iss", iss);
        }
        response
    }

    /// `POST /token`: the `authorization_code`, `refresh_token` and `client_credentials` grants
    /// (RFC 6749 §4.1.3, §6, §4.4.2).
    pub(crate) fn token(&mut self, request: HttpRequest) -> HttpResponse {
        let grant_type = request.body_value("grant_type").map(|g| g.into_owned());
        let result = if grant_type.as_deref() == Some("refresh_token") {
            let endpoint = Generic {
                registrar: &self.registrar,
                authorizer: Vacant,
                issuer: &mut self.issuer,
                solicitor: Vacant,
                scopes: Vacant,
                response: Vacant,
            };
            let presented = request.body_value("refresh_token").map(|t| t.into_owned());
            let response = RefreshFlow::prepare(endpoint)
                .and_then(|mut flow| flow.execute(request))
                .unwrap_or_else(|e| flow_failure(e, "token"));
            self.refreshes.record(presented, response.status);
            return response;
        } else if grant_type.as_deref() == Some("client_credentials") {
            // oxide-auth authenticates the client (a confidential one: it always checks a
            // passphrase), takes the registered scope and drops the refresh token from the
            // response (its default, RFC 6749 §4.4.3). Only the owner id is ours to choose.
            let endpoint = Generic {
                registrar: &self.registrar,
                authorizer: Vacant,
                issuer: &mut self.issuer,
                solicitor: FnSolicitor(client_acts_for_itself),
                scopes: Vacant,
                response: Vacant,
            };
            ClientCredentialsFlow::prepare(endpoint).and_then(|mut flow| {
                flow.allow_credentials_in_body(self.client_secret_post);
                flow.execute(request)
            })
        } else {
            // Everything that is not a refresh goes here; oxide-auth answers a missing
            // grant_type with invalid_request and an unknown one with unsupported_grant_type.
            let endpoint = Generic {
                registrar: &self.registrar,
                authorizer: &mut self.authorizer,
                issuer: &mut self.issuer,
                solicitor: Vacant,
                scopes: Vacant,
                response: Vacant,
            };
            AccessTokenFlow::prepare(Extended::extend_with(endpoint, &mut self.addons)).and_then(
                |mut flow| {
                    flow.allow_credentials_in_body(self.client_secret_post);
                    flow.execute(request)
                },
            )
        };
        result.unwrap_or_else(|e| flow_failure(e, "token"))
    }

    /// `POST /revoke` (RFC 7009). oxide-auth has no revocation endpoint; this is HTTP glue
    /// around its primitives: the registrar's `check` authenticates the client, the issuer's
    /// `recover_token`/`recover_refresh` say whom a token was issued to, and
    /// `TokenMap::revoke` deletes it.
    pub(crate) fn revoke(&mut self, request: &HttpRequest) -> HttpResponse {
        let invalid_request = || HttpResponse::oauth_error(400, "invalid_request");
        if !request.has_form_body() {
            return invalid_request();
        }
        // Parameters are validated before the client is authenticated, in the order
        // oxide-auth's code exchange uses.
        let Some((client_id, secret)) = self.client_credentials(request) else {
            return invalid_request();
        };
        let Some(token) = request.body_value("token").filter(|t| !t.is_empty()) else {
            return invalid_request();
        };
        match request.body_value("token_type_hint").as_deref() {
            // The hint is only validated: oxide-auth's `revoke` looks in both token maps.
            None | Some("access_token" | "refresh_token") => {}
            Some(_) => return HttpResponse::oauth_error(400, "unsupported_token_type"),
        }
        match self.registrar.check(&client_id, secret.as_deref()) {
            Ok(()) => {}
            // What oxide-auth's token flows answer for a failed check.
            Err(RegistrarError::Unspecified) => {
                let mut response = HttpResponse::oauth_error(401, "invalid_client");
                response.www_authenticate = Some(String::from("basic"));
                return response;
            }
            Err(RegistrarError::PrimitiveError) => {
                return HttpResponse::text(500, "revocation endpoint: internal error\n")
            }
        }
        let (Ok(access), Ok(refresh)) = (
            self.issuer.recover_token(&token),
            self.issuer.recover_refresh(&token),
        ) else {
            return HttpResponse::text(500, "revocation endpoint: token store failed\n");
        };
        let grants = [access, refresh];
        let mut grants = grants.iter().flatten().peekable();
        // RFC 7009 §2.1: only the client the token was issued to may revoke it. Another
        // client's token, like an unknown one, is left alone and answered with 200 (§2.2).
        let owned = grants.peek().is_some() && grants.all(|grant| grant.client_id == client_id);
        if owned {
            self.issuer.revoke(&token);
        }
        HttpResponse::default()
    }

    /// The one set of client credentials of a revocation request, read as oxide-auth's code
    /// exchange reads them: HTTP Basic (an empty password means none), `client_id` in the
    /// body (with `client_secret` only if `client_secret_post` is allowed; otherwise the
    /// secret is ignored). `None` for none, two, or a malformed `Authorization` header —
    /// `invalid_request` there too.
    fn client_credentials(&self, request: &HttpRequest) -> Option<(String, Option<Vec<u8>>)> {
        let mut found = Vec::new();
        if let Some(header) = request.authorization_header().ok()? {
            found.push(parse_basic(header)?);
        }
        if let Some(client_id) = request.body_value("client_id") {
            let secret = request
                .body_value("client_secret")
                .filter(|_| self.client_secret_post)
                .map(|s| s.as_bytes().to_vec());
            found.push((client_id.into_owned(), secret));
        }
        match <[_; 1]>::try_from(found) {
            Ok([one]) => Some(one),
            Err(_) => None,
        }
    }

    /// `GET /api/me`: a protected resource (RFC 6750).
    ///
    /// Checked against oxide-auth's token store by hand rather than with its `ResourceFlow`,
    /// because that flow answers an unknown or revoked token with `error="invalid_request"`
    /// where RFC 6750 §3.1 says `invalid_token`.
    pub(crate) fn resource(&mut self, request: &HttpRequest) -> HttpResponse {
        let header = match request.authorization_header() {
            Ok(Some(header)) => header,
            Ok(None) => return challenge(401, None),
            Err(_) => return challenge(400, Some("invalid_request")),
        };
        let Some(token) = bearer_token(header) else {
            // Another scheme (e.g. Basic) is the same as no bearer credentials: no error code.
            return challenge(401, None);
        };
        let grant = match self.issuer.recover_token(token) {
            Ok(Some(grant)) if grant.until > Utc::now() => grant,
            Ok(_) => return challenge(401, Some("invalid_token")),
            Err(()) => return HttpResponse::text(500, "token store failed"),
        };
        if !self.resource_scope.allow_access(&grant.scope) {
            let mut response = challenge(403, Some("insufficient_scope"));
            if let Some(value) = &mut response.www_authenticate {
                value.push_str(&format!(", scope=\"{}\"", self.resource_scope));
            }
            return response;
        }
        let body = serde_json::json!({
            "sub": grant.owner_id,
            "client_id": grant.client_id,
            "scope": grant.scope.to_string(),
        });
        HttpResponse::json(200, body.to_string())
    }
}

/// Keeps client secrets as they are and compares them in constant time.
///
/// oxide-auth's default policy derives each stored secret with Argon2 (64 MiB, 3 passes), which
/// takes about two seconds per registration and per check in an unoptimized build; every test
/// that starts a server or authenticates a client would pay that. A test server's secrets are
/// public anyway.
struct PlainSecret;

impl PasswordPolicy for PlainSecret {
    fn store(&self, _client_id: &str, passphrase: &[u8]) -> Vec<u8> {
        passphrase.to_vec()
    }

    fn check(
        &self,
        _client_id: &str,
        passphrase: &[u8],
        stored: &[u8],
    ) -> Result<(), RegistrarError> {
        let differ = passphrase.len() != stored.len()
            || passphrase
                .iter()
                .zip(stored)
                .fold(0, |acc, (a, b)| acc | (a ^ b))
                != 0;
        if differ {
            Err(RegistrarError::Unspecified)
        } else {
            Ok(())
        }
    }
}

/// The simulated resource owner: consent comes from the session cookie the test browser sends.
fn consent(
    request: &mut HttpRequest,
    solicitation: Solicitation<'_>,
) -> OwnerConsent<HttpResponse> {
    match request.session {
        Session::Approve => OwnerConsent::Authorized(TEST_USER.to_owned()),
        Session::Deny => OwnerConsent::Denied,
        Session::Anonymous => {
            let grant = solicitation.pre_grant();
            OwnerConsent::InProgress(HttpResponse::text(
                200,
                format!(
                    "Log in as {TEST_USER} to let {} access {}.\n\
                     (Test server: drive this page with AuthorizationServer::log_in.)\n",
                    grant.client_id, grant.scope
                ),
            ))
        }
    }
}

/// The owner of a client-credentials grant: oxide-auth asks the frontend for one even though no
/// user is involved; here it is the client itself (RFC 6749 §4.4: the client acts on its own
/// behalf), so `/api/me` reports the `client_id` as `sub`.
fn client_acts_for_itself(
    _request: &mut HttpRequest,
    solicitation: Solicitation<'_>,
) -> OwnerConsent<HttpResponse> {
    OwnerConsent::Authorized(solicitation.pre_grant().client_id.clone())
}

/// `Basic` credentials, split the way oxide-auth's access-token flow splits them
/// (`endpoint/accesstoken.rs`): standard base64, id up to the first `:`, an empty password
/// read as none, and no form-urldecoding of either part.
fn parse_basic(header: &str) -> Option<(String, Option<Vec<u8>>)> {
    let encoded = is_authorization_method(header, "Basic ")?;
    let decoded = STANDARD.decode(encoded).ok()?;
    let mut split = decoded.splitn(2, |&b| b == b':');
    let client_id = std::str::from_utf8(split.next()?).ok()?.to_owned();
    let secret = match split.next()? {
        [] => None,
        secret => Some(secret.to_vec()),
    };
    Some((client_id, secret))
}

/// The token after `Bearer ` (scheme matched case-insensitively, RFC 6750 §2.1).
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.split_once(' ')?;
    let token = token.trim_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && !token.contains(' '))
        .then_some(token)
}

/// An RFC 6750 §3 challenge, with an error code unless the request simply lacked credentials.
fn challenge(status: u16, error: Option<&str>) -> HttpResponse {
    let mut value = format!("Bearer realm=\"{REALM}\"");
    let body = match error {
        Some(error) => {
            value.push_str(&format!(", error=\"{error}\""));
            serde_json::json!({ "error": error }).to_string()
        }
        None => String::from("{}"),
    };
    let mut response = HttpResponse::json(status, body);
    response.www_authenticate = Some(value);
    response
}

/// A flow that ended without a response of its own: turn it into one.
fn flow_failure(error: FlowError<HttpRequest>, endpoint: &str) -> HttpResponse {
    match error {
        // RFC 6749 §4.1.2.1: with an unknown client or an unregistered redirect URI the server
        // MUST NOT redirect; it tells the user instead.
        FlowError::OAuth(OAuthError::DenySilently) => HttpResponse::text(
            400,
            "invalid authorization request: unknown client_id or unregistered redirect_uri\n",
        ),
        FlowError::OAuth(OAuthError::BadRequest) | FlowError::Web(Malformed::NotAForm) => {
            HttpResponse::oauth_error(400, "invalid_request")
        }
        FlowError::Web(Malformed::RepeatedAuthorization) => {
            HttpResponse::oauth_error(400, "invalid_request")
        }
        FlowError::OAuth(OAuthError::PrimitiveError) => {
            HttpResponse::text(500, format!("{endpoint} endpoint: internal error\n"))
        }
    }
}
