"""An Authlib authorization server on 127.0.0.1 for the crate's interop tests.

Started by tests/interop_common/mod.rs from the venv it builds (see
requirements.txt); never meant to face a network. Run by hand with:

    python3 tests/interop/authlib_server.py

What it is
----------
Flask + Authlib's ``AuthorizationServer`` (``authlib.integrations.flask_oauth2``)
with in-memory storage (plain dicts behind a lock):

* ``GET/POST /authorize`` -- authorization code grant (RFC 6749 §4.1) with
  PKCE required for *every* client and ``S256`` only (RFC 7636; a request
  without ``code_challenge`` or with ``plain``/no method is refused with an
  ``invalid_request`` redirect). Every redirect to the client, success or
  error, carries ``iss`` (RFC 9207) through Authlib's own
  ``authlib.oauth2.rfc9207.IssuerParameter`` extension.
* ``POST /token`` -- ``authorization_code``, ``refresh_token`` (with
  rotation, see below) and ``client_credentials`` grants.
* ``POST /revoke`` -- RFC 7009 revocation (Authlib's ``RevocationEndpoint``).
* ``GET /.well-known/oauth-authorization-server`` -- RFC 8414 metadata,
  validated with Authlib's own ``rfc8414``/``rfc9207`` metadata models.
* ``GET /api/me`` -- a protected resource behind Authlib's
  ``ResourceProtector`` + ``BearerTokenValidator`` (RFC 6750), any scope;
  ``POST /api/write`` needs scope ``write``. Authlib's answers: no token is
  ``401`` with ``WWW-Authenticate: Bearer error="missing_authorization"``
  (not an RFC 6750 code); a bad, expired or revoked token ``401`` with
  ``error="invalid_token"``; too little scope ``403 insufficient_scope``
  in the JSON body only, without a ``WWW-Authenticate`` header.

Clients (all with the single redirect URI ``http://127.0.0.1/callback``,
scopes ``read write``):

==================  ===================  =====================
client_id           secret               token endpoint auth
==================  ===================  =====================
basic-client        basic-secret         client_secret_basic
post-client         post-secret          client_secret_post
public-client       (none)               none
==================  ===================  =====================

Each confidential client may use *only* its own method (Authlib's
``check_endpoint_auth_method``), as RFC 7591 registers one per client.

Logging in without a browser
----------------------------
The test user is ``alice`` / ``wonderland``. The login and consent pages are
real HTTP round trips that a test drives with a one-cookie jar:

1. ``GET /authorize?...`` without a session: ``302`` to ``/login?next=<the
   authorize URL>``.
2. ``POST /login`` with form ``username``, ``password``, ``next``: sets the
   ``session`` cookie (Flask's signed cookie session) and ``302`` back to
   ``next``. A wrong password is a ``401`` page.
3. ``GET /authorize?...`` with the cookie: the request is validated
   (``get_consent_grant``) and a ``200`` consent page is shown; an invalid
   request whose redirect URI is trusted is answered with the error redirect
   at once (with ``state`` and ``iss``).
4. ``POST /authorize?...`` (same query) with the cookie and form
   ``decision=allow`` (or ``deny``): ``302`` to
   ``http://127.0.0.1/callback?code=...&state=...&iss=...`` (or
   ``?error=access_denied&state=...&iss=...``).

There is no CSRF token on the consent form: this server only ever listens on
127.0.0.1 for the lifetime of one test.

Tokens, refresh and revocation
------------------------------
Storage and revocation follow the semantics of Authlib's own SQLAlchemy
integration (``authlib.integrations.sqla_oauth2``), with dicts instead of
tables:

* An authorization code lives 300 s and is deleted when exchanged
  (``delete_authorization_code``): a replay is ``invalid_grant``
  ("Invalid 'code' in request."). Authlib does not revoke the tokens already
  issued from a replayed code (RFC 6749 §4.1.2 says SHOULD).
* Access tokens live 3600 s; every client except ``public-client`` with
  ``client_credentials`` gets a refresh token (``OAUTH2_REFRESH_TOKEN_GENERATOR``).
* Refresh (``RefreshTokenGrant``) with ``INCLUDE_NEW_REFRESH_TOKEN = True``:
  every refresh returns a **new refresh token** and a new access token, and
  ``revoke_old_credential`` marks the old token record's refresh token
  revoked. As in Authlib's ``TokenMixin.is_revoked`` a record counts as
  revoked when either of its tokens is, so after a refresh **both** the old
  refresh token (``invalid_grant``) and the old access token (``401
  invalid_token`` at the API) are refused. Reusing an old refresh token does
  *not* revoke the new ones (no family revocation in Authlib).
  A narrower ``scope`` may be asked; a wider one is ``invalid_scope``.
* Revocation (``RevocationEndpoint``, any of the three client auth methods):
  ``token_type_hint=access_token`` revokes only the access token; any other
  hint (or none) revokes the record's access **and** refresh token. Unknown
  tokens are a ``200`` (RFC 7009 §2.2); a token of another client is
  ``invalid_grant`` (Authlib's choice).

Process protocol
----------------
Binds 127.0.0.1 on a free port (port 0), prints exactly one line
``READY http://127.0.0.1:PORT`` on stdout once the socket listens, and exits
as soon as its stdin reaches end of file (the test harness holds the write
end; when the test process dies, so does this server). Request logs go to
stderr.
"""

from __future__ import annotations

import os
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import (
    AuthorizationServer,
    ResourceProtector,
    current_token,
)
from authlib.oauth2 import OAuth2Error, rfc8414, rfc9207
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9207 import IssuerParameter
from flask import Flask, Response, jsonify, redirect, request, session
from markupsafe import escape
from werkzeug.serving import make_server

REDIRECT_URI = "http://127.0.0.1/callback"
SCOPES = ["read", "write"]
TEST_USER = "alice"
TEST_PASSWORD = "wonderland"
CODE_LIFETIME = 300
ACCESS_TOKEN_LIFETIME = 3600

# ---------------------------------------------------------------------------
# In-memory storage
# ---------------------------------------------------------------------------

LOCK = threading.RLock()


@dataclass
class User:
    username: str

    def get_user_id(self) -> str:
        return self.username


USERS = {TEST_USER: User(TEST_USER)}


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str | None
    auth_method: str
    redirect_uris: list[str] = field(default_factory=lambda: [REDIRECT_URI])
    grant_types: list[str] = field(
        default_factory=lambda: ["authorization_code", "refresh_token"]
    )
    scope: str = " ".join(SCOPES)

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        # RFC 6749 §3.3: an omitted scope gets the default, "read".
        if not scope:
            return "read"
        allowed = set(self.scope.split())
        return " ".join(s for s in scope.split() if s in allowed)

    def check_redirect_uri(self, redirect_uri):
        # Exact string comparison (RFC 9700 §4.1.3).
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return self.client_secret is not None and secrets.compare_digest(
            self.client_secret, client_secret
        )

    def check_endpoint_auth_method(self, method, endpoint):
        # One registered method per client, at the token and revocation
        # endpoints alike.
        return method == self.auth_method

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in self.grant_types


CLIENTS = {
    c.client_id: c
    for c in [
        Client(
            "basic-client",
            "basic-secret",
            "client_secret_basic",
            grant_types=["authorization_code", "refresh_token", "client_credentials"],
        ),
        Client(
            "post-client",
            "post-secret",
            "client_secret_post",
            grant_types=["authorization_code", "refresh_token", "client_credentials"],
        ),
        Client("public-client", None, "none"),
    ]
}


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user_id: str
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: float = field(default_factory=time.time)

    def is_expired(self):
        return self.auth_time + CODE_LIFETIME < time.time()

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope


@dataclass
class Token:
    client_id: str
    user_id: str | None
    token_type: str
    access_token: str
    scope: str = ""
    expires_in: int = 0
    refresh_token: str | None = None
    issued_at: float = field(default_factory=time.time)
    access_token_revoked_at: float | None = None
    refresh_token_revoked_at: float | None = None

    # TokenMixin, as authlib.integrations.sqla_oauth2.TokenMixin does it.
    def check_client(self, client):
        return self.client_id == client.get_client_id()

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_revoked(self):
        return bool(self.access_token_revoked_at or self.refresh_token_revoked_at)

    def is_expired(self):
        if not self.expires_in:
            return False
        return self.issued_at + self.expires_in < time.time()

    def is_refresh_token_active(self):
        return self.refresh_token is not None and not self.refresh_token_revoked_at

    def get_user(self):
        return USERS.get(self.user_id) if self.user_id else None

    def get_client(self):
        return CLIENTS.get(self.client_id)


CODES: dict[str, AuthorizationCode] = {}
TOKENS: list[Token] = []


def query_client(client_id):
    return CLIENTS.get(client_id)


def save_token(token, req):
    user_id = req.user.get_user_id() if req.user else None
    with LOCK:
        TOKENS.append(
            Token(
                client_id=req.client.client_id,
                user_id=user_id,
                token_type=token["token_type"],
                access_token=token["access_token"],
                scope=token.get("scope", ""),
                expires_in=token.get("expires_in", 0),
                refresh_token=token.get("refresh_token"),
            )
        )


def find_token(*, access_token=None, refresh_token=None):
    with LOCK:
        for token in TOKENS:
            if access_token is not None and token.access_token == access_token:
                return token
            if refresh_token is not None and token.refresh_token == refresh_token:
                return token
    return None


# ---------------------------------------------------------------------------
# Grants and endpoints
# ---------------------------------------------------------------------------


class S256OnlyCodeChallenge(CodeChallenge):
    """``CodeChallenge(required=True)`` only forces PKCE on public clients at
    the token endpoint, and accepts ``plain`` (and a missing method, which
    RFC 7636 defaults to ``plain``). Here PKCE is required of every client
    at the authorization endpoint, with ``S256`` only."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE is required.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256.")
        super().validate_code_challenge(grant, redirect_uri)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code, req):
        data = req.payload.data
        with LOCK:
            CODES[code] = AuthorizationCode(
                code=code,
                client_id=req.client.client_id,
                redirect_uri=req.payload.redirect_uri,
                scope=req.scope,
                user_id=req.user.get_user_id(),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
            )

    def query_authorization_code(self, code, client):
        with LOCK:
            item = CODES.get(code)
        if item and item.client_id == client.client_id and not item.is_expired():
            return item
        return None

    def delete_authorization_code(self, authorization_code):
        with LOCK:
            CODES.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return USERS.get(authorization_code.user_id)


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    # Rotation: every refresh answers with a new refresh token.
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        token = find_token(refresh_token=refresh_token)
        if token and token.is_refresh_token_active():
            return token
        return None

    def authenticate_user(self, refresh_token):
        return refresh_token.get_user()

    def revoke_old_credential(self, refresh_token):
        with LOCK:
            refresh_token.refresh_token_revoked_at = time.time()


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def query_token(self, token_string, token_type_hint):
        if token_type_hint == "access_token":
            return find_token(access_token=token_string)
        if token_type_hint == "refresh_token":
            return find_token(refresh_token=token_string)
        return find_token(access_token=token_string) or find_token(
            refresh_token=token_string
        )

    def revoke_token(self, token, req):
        now = time.time()
        with LOCK:
            token.access_token_revoked_at = now
            if req.form.get("token_type_hint") != "access_token":
                token.refresh_token_revoked_at = now


class Issuer(IssuerParameter):
    def __init__(self, issuer):
        self.issuer = issuer

    def get_issuer(self):
        return self.issuer


class Bearer(BearerTokenValidator):
    def authenticate_token(self, token_string):
        return find_token(access_token=token_string)


# ---------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------


def create_app(issuer: str) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_hex(32),
        SESSION_COOKIE_SAMESITE="Lax",
        OAUTH2_REFRESH_TOKEN_GENERATOR=True,
        OAUTH2_TOKEN_EXPIRES_IN={
            "authorization_code": ACCESS_TOKEN_LIFETIME,
            "refresh_token": ACCESS_TOKEN_LIFETIME,
            "client_credentials": ACCESS_TOKEN_LIFETIME,
        },
        OAUTH2_SCOPES_SUPPORTED=SCOPES,
    )

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    server.register_grant(AuthorizationCodeGrant, [S256OnlyCodeChallenge(required=True)])
    server.register_grant(RefreshTokenGrant)
    server.register_grant(ClientCredentialsGrant)
    server.register_endpoint(Revocation)
    issuer_parameter = Issuer(issuer)
    server.register_extension(issuer_parameter)

    require_oauth = ResourceProtector()
    require_oauth.register_token_validator(Bearer())

    methods = ["client_secret_basic", "client_secret_post", "none"]
    # Like deployed Authlib servers, the token endpoint's list names the
    # confidential clients' methods only, although the public client is
    # served: the client must not refuse itself over it.
    token_methods = ["client_secret_basic", "client_secret_post"]
    metadata = rfc8414.AuthorizationServerMetadata(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "revocation_endpoint": f"{issuer}/revoke",
            "scopes_supported": SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": [
                "authorization_code",
                "refresh_token",
                "client_credentials",
            ],
            "token_endpoint_auth_methods_supported": token_methods,
            "revocation_endpoint_auth_methods_supported": methods,
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
        }
    )
    metadata.validate(metadata_classes=[rfc9207.AuthorizationServerMetadata])

    def current_user():
        username = session.get("user")
        return USERS.get(username) if username else None

    @app.get("/.well-known/oauth-authorization-server")
    def well_known():
        return jsonify(dict(metadata))

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "GET":
            return Response(
                "<form method=post><input name=username><input name=password"
                " type=password><input type=hidden name=next value=\""
                + str(escape(request.args.get("next", "")))
                + "\"><button>Log in</button></form>",
                content_type="text/html",
            )
        user = USERS.get(request.form.get("username", ""))
        if user is None or not secrets.compare_digest(
            request.form.get("password", ""), TEST_PASSWORD
        ):
            return Response("wrong username or password", status=401)
        session["user"] = user.username
        target = request.form.get("next", "")
        # Only ever back to our own authorization endpoint.
        if not target.startswith("/authorize?"):
            return Response("bad next", status=400)
        return redirect(target, code=302)

    def error_response(error):
        # Redirectable errors (bad PKCE, bad scope, ...) go back to the
        # client at once, with iss like every other authorization response;
        # the others (unknown client, unregistered redirect URI) are a page.
        response = server.handle_error_response(None, error)
        issuer_parameter.add_issuer_parameter(server, response)
        return response

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        user = current_user()
        if user is None:
            next_url = request.full_path
            return redirect("/login?" + urlencode({"next": next_url}), code=302)
        if request.method == "GET":
            try:
                grant = server.get_consent_grant(end_user=user)
            except OAuth2Error as error:
                return error_response(error)
            return Response(
                f"<p>{grant.client.client_id} asks for "
                f"{grant.request.scope!s} on behalf of {user.username}</p>"
                "<form method=post><button name=decision value=allow>Allow</button>"
                "<button name=decision value=deny>Deny</button></form>",
                content_type="text/html",
            )
        grant_user = user if request.form.get("decision") == "allow" else None
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:
            return error_response(error)
        return server.create_authorization_response(grant_user=grant_user, grant=grant)

    @app.post("/token")
    def issue_token():
        return server.create_token_response()

    @app.post("/revoke")
    def revoke():
        return server.create_endpoint_response(Revocation.ENDPOINT_NAME)

    @app.get("/api/me")
    @require_oauth()
    def me():
        token = current_token
        return jsonify(
            sub=token.user_id,
            client_id=token.client_id,
            scope=token.scope,
        )

    @app.post("/api/write")
    @require_oauth("write")
    def write():
        return jsonify(written=True)

    return app


def main() -> None:
    host = "127.0.0.1"
    # Bind first (port 0: the OS picks a free port), then build the app for
    # the issuer that port gives.
    holder: dict[str, Flask] = {}

    def dispatch(environ, start_response):
        return holder["app"](environ, start_response)

    httpd = make_server(host, 0, dispatch, threaded=True)
    issuer = f"http://{host}:{httpd.server_port}"
    holder["app"] = create_app(issuer)

    def exit_when_stdin_closes():
        # The harness never writes; EOF means it is gone (or dropped us).
        while sys.stdin.buffer.read(4096):
            pass
        os._exit(0)

    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print(f"READY {issuer}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main()
