//! The page the browser gets after the callback: the one the app chooses
//! once it has checked the callback ([`LoopbackResponder`]), or a neutral
//! one when it chooses none in time.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;
use core::time::Duration;
use std::io::Write;
use std::net::TcpStream;
use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};

use crate::error::{AuthorizationErrorCode, CallbackError};

/// What the browser is told about the login, once the app has checked
/// the callback and, on success, exchanged the code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoopbackOutcome {
    /// The login completed: the app holds the tokens. Say this only after
    /// the exchange succeeded.
    SignedIn,
    /// The user declined at the provider (`error=access_denied`, RFC 6749
    /// §4.1.2.1): the app is not signed in.
    Refused,
    /// Anything else: the provider answered with another error, the
    /// callback failed the flow's checks (`state`, `iss`), or the code
    /// exchange failed. The app says why; the page does not.
    Failed,
}

impl LoopbackOutcome {
    /// The outcome for a callback that
    /// [`handle_callback`](crate::AwaitingCallback::handle_callback)
    /// refused: [`Refused`](Self::Refused) for the provider's
    /// `access_denied` (its `state` and `iss` checked first),
    /// [`Failed`](Self::Failed) for anything else.
    #[must_use]
    pub fn of_callback_error(error: &CallbackError) -> Self {
        match error {
            CallbackError::Authorization(response)
                if *response.error() == AuthorizationErrorCode::AccessDenied =>
            {
                Self::Refused
            }
            _ => Self::Failed,
        }
    }

    /// The page's title and message.
    fn text(self) -> (&'static str, &'static str) {
        match self {
            Self::SignedIn => (
                "Signed in",
                "You are signed in. You can close this window and return to the application.",
            ),
            Self::Refused => (
                "Sign-in refused",
                "The sign-in was refused, so the application is not signed in. \
                 You can close this window; start again from the application to sign in.",
            ),
            Self::Failed => (
                "Sign-in failed",
                "The sign-in did not complete. Return to the application to see why.",
            ),
        }
    }
}

/// The page for a callback the app never answered, or not in time: it
/// claims nothing about the outcome.
const NEUTRAL: (&str, &str) = (
    "Sign-in response received",
    "You can close this window and return to the application.",
);

/// The browser's connection that brought the callback, held open until
/// the app says how the login went (RFC 8252 §7.3 leaves the page to the
/// app).
///
/// Answer it once the callback is checked (and, for a success, the code
/// exchanged): [`respond`](Self::respond) with a [`LoopbackOutcome`], or
/// [`respond_with`](Self::respond_with) a title and message of the app's
/// own, HTML-escaped. Dropped unanswered, it sends a neutral page ("You
/// can close this window and return to the application"). The browser is
/// never kept waiting longer than
/// [`LoopbackRedirect::answer_within`](crate::loopback::LoopbackRedirect::answer_within)
/// (30 seconds unless set): after that, a thread of the responder's own
/// sends the neutral page, and a later answer is not sent.
#[must_use = "the browser waits for its page: respond, or drop it for a neutral page"]
pub struct LoopbackResponder {
    held: Arc<Mutex<Option<TcpStream>>>,
    /// Dropped with the responder, which wakes the watchdog.
    _wake: Option<mpsc::Sender<()>>,
}

impl LoopbackResponder {
    /// Holds `stream` for the app's answer, and answers it with the
    /// neutral page after `within` (when a thread can be started).
    pub(super) fn hold(stream: TcpStream, within: Duration) -> Self {
        let held = Arc::new(Mutex::new(Some(stream)));
        let (wake, woken) = mpsc::channel::<()>();
        let watched = Arc::clone(&held);
        let watchdog = std::thread::Builder::new()
            .name("oauth2-loopback-page".into())
            .spawn(move || {
                // Woken early when the responder is gone (answered or
                // dropped): then there is nothing left to send.
                let _ = woken.recv_timeout(within);
                send_page(&watched, NEUTRAL);
            });
        Self {
            held,
            _wake: watchdog.ok().map(|_| wake),
        }
    }

    /// Answers the browser with the page for `outcome`.
    pub fn respond(self, outcome: LoopbackOutcome) {
        send_page(&self.held, outcome.text());
    }

    /// Answers the browser with a page of the app's own: `title` and
    /// `message` are HTML-escaped, so outside text (an
    /// `error_description`) shows as text and never runs as markup.
    pub fn respond_with(self, title: &str, message: &str) {
        send_page(&self.held, (title, message));
    }

    /// Whether the browser still waits for an answer (not yet answered,
    /// and not timed out).
    #[must_use]
    pub fn is_waiting(&self) -> bool {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }
}

impl Drop for LoopbackResponder {
    fn drop(&mut self) {
        send_page(&self.held, NEUTRAL);
    }
}

impl fmt::Debug for LoopbackResponder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopbackResponder")
            .field("waiting", &self.is_waiting())
            .finish()
    }
}

/// Sends `(title, message)` as the page on the held connection, unless
/// it was answered already.
fn send_page(held: &Mutex<Option<TcpStream>>, (title, message): (&str, &str)) {
    let stream = held.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(mut stream) = stream {
        let body = page(title, message);
        write_response(&mut stream, 200, "text/html; charset=utf-8", &body, "");
    }
}

/// An HTML page with `title` and one paragraph of `message`, both escaped.
pub(super) fn page(title: &str, message: &str) -> String {
    let mut body = String::from("<!doctype html><meta charset=utf-8><title>");
    escape_html(title, &mut body);
    body.push_str("</title>\n<h1>");
    escape_html(title, &mut body);
    body.push_str("</h1>\n<p>");
    escape_html(message, &mut body);
    body.push_str("</p>\n");
    body
}

/// Appends `text` to `out` with `&`, `<`, `>`, `"` and `'` escaped: safe
/// in element content and in quoted attribute values.
fn escape_html(text: &str, out: &mut String) {
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
}

/// Writes a whole response: not cached, no referrer sent on, and the
/// connection closed. Best effort: a browser that went away misses it.
pub(super) fn write_response(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &str,
    extra_headers: &str,
) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let head = alloc::format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
         X-Content-Type-Options: nosniff\r\n{extra_headers}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_what_they_are_given() {
        let body = page("<b>\"t\"</b>", "<script>alert('x')</script> & more");
        assert!(
            !body.contains("<script>") && !body.contains("<b>"),
            "{body}"
        );
        assert!(body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
        assert!(body.contains("<title>&lt;b&gt;&quot;t&quot;&lt;/b&gt;</title>"));
    }

    #[test]
    fn no_outcome_but_success_says_signed_in() {
        assert_eq!(
            LoopbackOutcome::of_callback_error(&CallbackError::StateMismatch),
            LoopbackOutcome::Failed
        );
        let answered = |error| {
            LoopbackOutcome::of_callback_error(&CallbackError::Authorization(
                crate::error::ErrorResponse {
                    error,
                    error_description: None,
                    error_uri: None,
                },
            ))
        };
        assert_eq!(
            answered(AuthorizationErrorCode::AccessDenied),
            LoopbackOutcome::Refused
        );
        assert_eq!(
            answered(AuthorizationErrorCode::ServerError),
            LoopbackOutcome::Failed
        );
        // Each outcome's page says it in its title and its message.
        for (outcome, title, says) in [
            (LoopbackOutcome::SignedIn, "Signed in", "You are signed in."),
            (LoopbackOutcome::Refused, "Sign-in refused", "was refused"),
            (
                LoopbackOutcome::Failed,
                "Sign-in failed",
                "did not complete",
            ),
        ] {
            let (shown, message) = outcome.text();
            assert_eq!(shown, title);
            assert!(message.contains(says), "{message}");
        }
        assert_ne!(LoopbackOutcome::SignedIn.text().0, NEUTRAL.0);
        for outcome in [LoopbackOutcome::Refused, LoopbackOutcome::Failed] {
            assert!(!outcome.text().0.contains("Signed in"));
            assert!(!outcome.text().1.contains("You are signed in"));
        }
    }
}
