//! An issuer identifier that names the user's tenant: Microsoft Entra
//! ID's multi-tenant endpoints (`common`, `organizations`, `consumers`)
//! sign ID tokens whose `iss` is the issuer of the tenant that
//! authenticated the user, `https://login.microsoftonline.com/{tid}/v2.0`,
//! never the alias's own. A leaf: it imports nothing of the crate.

use alloc::string::String;

/// An issuer that differs per tenant, such as Microsoft Entra ID's
/// `https://login.microsoftonline.com/{tenantid}/v2.0` (the `issuer` of
/// the `common` endpoint's discovery document, placeholder included).
///
/// OpenID Connect Core §3.1.3.7 item 2 wants the ID token's `iss` to equal
/// the issuer the client expects. A client of one of the alias tenants
/// cannot know its user's tenant in advance: with this template, an ID
/// token is accepted when its `iss` is the template with the token's own
/// `tid` claim, a GUID, in place of `{tenantid}`, as Microsoft's own
/// issuer validator for Entra does (`AadIssuerValidator` puts the token's
/// `tid` in the `{tenantid}` template). It is consulted only when the expected
/// issuer is one of the template's aliases ([`is_alias`](Self::is_alias)):
/// any other issuer, a tenant's own included, is compared exactly.
///
/// Set by [`Preset::microsoft_entra`](crate::Preset::microsoft_entra) for
/// `common`, `organizations` and `consumers`
/// ([`ServerMetadata::tenant_issuer`](crate::ServerMetadata::tenant_issuer)),
/// or on an [`IdTokenValidation`](crate::openid::IdTokenValidation) by hand.
/// Every tenant's user then signs in: an app for some tenants only checks
/// the `tid` claim itself (and keys accounts by `(iss, sub)`, which names
/// the tenant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TenantIssuer {
    /// The issuer up to the tenant.
    prefix: &'static str,
    /// The issuer after the tenant.
    suffix: &'static str,
    /// The tenants that stand for several: their issuers take the template.
    aliases: &'static [&'static str],
}

impl TenantIssuer {
    /// Microsoft Entra ID's v2.0 issuer,
    /// `https://login.microsoftonline.com/{tenantid}/v2.0`, for the alias
    /// tenants `common`, `organizations` and `consumers`
    /// (<https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc>).
    pub const MICROSOFT_ENTRA_V2: Self = Self {
        prefix: "https://login.microsoftonline.com/",
        suffix: "/v2.0",
        aliases: &["common", "organizations", "consumers"],
    };

    /// The template, with `{tenantid}` where the tenant goes.
    #[must_use]
    pub fn template(&self) -> String {
        alloc::format!("{}{{tenantid}}{}", self.prefix, self.suffix)
    }

    /// Whether `issuer` is the issuer of one of the template's alias
    /// tenants (`https://login.microsoftonline.com/common/v2.0`): the only
    /// issuers the template stands in for.
    #[must_use]
    pub fn is_alias(&self, issuer: &str) -> bool {
        self.tenant_of(issuer)
            .is_some_and(|tenant| self.aliases.contains(&tenant))
    }

    /// Whether `iss` is the issuer of the tenant `tid`: `tid` is a GUID and
    /// `iss` is the template with `tid` in place of `{tenantid}`, byte for
    /// byte.
    #[must_use]
    pub fn is_issuer_of(&self, iss: &str, tid: &str) -> bool {
        is_guid(tid) && self.tenant_of(iss) == Some(tid)
    }

    /// The tenant segment of `issuer`, if `issuer` has the template's
    /// form. Both callers compare it with a GUID or an alias, so an empty
    /// segment or one with a `/` matches nothing.
    fn tenant_of<'a>(&self, issuer: &'a str) -> Option<&'a str> {
        issuer.strip_prefix(self.prefix)?.strip_suffix(self.suffix)
    }
}

/// A GUID in its usual text form, `8-4-4-4-12` hexadecimal digits.
fn is_guid(value: &str) -> bool {
    let groups = [8, 4, 4, 4, 12];
    let mut parts = value.split('-');
    groups.iter().all(|&len| {
        parts
            .next()
            .is_some_and(|part| part.len() == len && part.bytes().all(|b| b.is_ascii_hexdigit()))
    }) && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRA: TenantIssuer = TenantIssuer::MICROSOFT_ENTRA_V2;
    const TID: &str = "9122040d-6c67-4c5b-b112-36a304b66dad";

    #[test]
    fn the_template_names_the_placeholder() {
        assert_eq!(
            ENTRA.template(),
            "https://login.microsoftonline.com/{tenantid}/v2.0"
        );
    }

    #[test]
    fn only_the_alias_tenants_take_the_template() {
        for alias in ["common", "organizations", "consumers"] {
            let issuer = alloc::format!("https://login.microsoftonline.com/{alias}/v2.0");
            assert!(ENTRA.is_alias(&issuer), "{issuer}");
        }
        for issuer in [
            "https://login.microsoftonline.com/9122040d-6c67-4c5b-b112-36a304b66dad/v2.0",
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0",
            "https://login.microsoftonline.com/common",
            "https://login.microsoftonline.com/common/v2.0/",
            "https://login.microsoftonline.com/x/common/v2.0",
            "https://login.microsoftonline.com.evil.example/common/v2.0",
            "https://op.example",
        ] {
            assert!(!ENTRA.is_alias(issuer), "{issuer}");
        }
    }

    #[test]
    fn the_issuer_of_a_tenant_is_the_template_with_its_tid() {
        let iss = alloc::format!("https://login.microsoftonline.com/{TID}/v2.0");
        assert!(ENTRA.is_issuer_of(&iss, TID));
        // Another tenant's issuer, a tid that is no GUID, a path around it.
        let other = "72f988bf-86f1-41af-91ab-2d7cd011db47";
        assert!(!ENTRA.is_issuer_of(&iss, other));
        for (iss, tid) in [
            ("https://login.microsoftonline.com/common/v2.0", "common"),
            ("https://login.microsoftonline.com/a/b/v2.0", "a/b"),
            ("https://login.microsoftonline.com//v2.0", ""),
            (
                "https://login.microsoftonline.com/9122040d-6c67-4c5b-b112-36a304b66dad-0/v2.0",
                "9122040d-6c67-4c5b-b112-36a304b66dad-0",
            ),
            (
                "https://login.microsoftonline.com/9122040d-6c67-4c5b-b112-36a304b66dag/v2.0",
                "9122040d-6c67-4c5b-b112-36a304b66dag",
            ),
            (
                "https://evil.example/9122040d-6c67-4c5b-b112-36a304b66dad/v2.0",
                TID,
            ),
        ] {
            assert!(!ENTRA.is_issuer_of(iss, tid), "{iss} {tid}");
        }
    }
}
