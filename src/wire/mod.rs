//! What goes over the wire: form encoding, the callback, token and error
//! responses.

pub(crate) mod auth_challenge;
pub(crate) mod callback;
pub(crate) mod challenge;
pub(crate) mod ciba;
pub(crate) mod device;
pub(crate) mod exchange;
pub(crate) mod form;
pub(crate) mod http_date;
pub(crate) mod introspection;
pub(crate) mod par;
pub(crate) mod token;
