//! The authorization server proper: oxide-auth's primitives and flows, one method per endpoint.

use std::io;

use chrono::Utc;
use oxide_auth::endpoint::{
    AccessTokenFlow, AuthorizationFlow, OAuthError, OwnerConsent, RefreshFlow, Solicitation,
};
use oxide_auth::frontends::simple::endpoint::{Error as FlowError, FnSolicitor, Generic, Vacant};
use oxide_auth::frontends::simple::extensions::{AddonList, Extended, Pkce};
use oxide_auth::primitives::authorizer::AuthMap;
use oxide_auth::primitives::generator::RandomGenerator;
use oxide_auth::primitives::issuer::{Issuer, TokenMap};
use oxide_auth::primitives::registrar::{
    Client, ClientMap, ExactUrl, PasswordPolicy, RegisteredUrl, RegistrarError,
};
use oxide_auth::primitives::scope::Scope;

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

    /// `POST /token`: the `authorization_code` and `refresh_token` grants (RFC 6749 §4.1.3, §6).
    pub(crate) fn token(&mut self, request: HttpRequest) -> HttpResponse {
        let is_refresh = request.body_value("grant_type").as_deref() == Some("refresh_token");
        let result = if is_refresh {
            let endpoint = Generic {
                registrar: &self.registrar,
                authorizer: Vacant,
                issuer: &mut self.issuer,
                solicitor: Vacant,
                scopes: Vacant,
                response: Vacant,
            };
            RefreshFlow::prepare(endpoint).and_then(|mut flow| flow.execute(request))
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
