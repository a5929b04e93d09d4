//! Reading one HTTP/1.x request off a loopback connection: the request
//! line, the headers and a form body, within a deadline and a size cap.

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;
use std::io::Read;
use std::net::TcpStream;
use std::time::Instant;

use crate::limits::MAX_CALLBACK_BYTES;

/// The most a request line and its headers may take (the callback's cap,
/// plus room for the headers a browser sends).
const MAX_REQUEST_BYTES: usize = MAX_CALLBACK_BYTES + 8 * 1024;

/// A request as read off the socket.
pub(super) struct RawRequest {
    pub(super) method: String,
    pub(super) target: String,
    pub(super) is_form: bool,
    pub(super) body: Vec<u8>,
}

/// Reads a request line, its headers and (for a `POST`) its body, within
/// `within` of `started` and [`MAX_REQUEST_BYTES`]; `None` for anything
/// else.
pub(super) fn read_request(
    stream: &mut TcpStream,
    started: Instant,
    within: Duration,
) -> Option<RawRequest> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0_u8; 1024];
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_REQUEST_BYTES || started.elapsed() > within {
            return None;
        }
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(chunk.get(..read)?);
    };
    let (mut request, length) = parse_head(buffer.get(..head_end)?)?;
    let mut body = buffer.get(head_end.checked_add(4)?..)?.to_vec();
    while body.len() < length {
        if started.elapsed() > within {
            return None;
        }
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        body.extend_from_slice(chunk.get(..read)?);
    }
    body.truncate(length);
    request.body = body;
    Some(request)
}

/// The request line and headers (without the blank line): the request
/// without its body, and the body's length. `None` for anything that is
/// not an HTTP/1.x request, or announces a body over the callback's cap.
fn parse_head(head: &[u8]) -> Option<(RawRequest, usize)> {
    let head = core::str::from_utf8(head).ok()?;
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = String::from(request_line.next()?);
    let target = String::from(request_line.next()?);
    if !request_line.next()?.starts_with("HTTP/1.") || request_line.next().is_some() {
        return None;
    }
    let mut is_form = false;
    let mut length: usize = 0;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        if name.eq_ignore_ascii_case("content-type") {
            is_form = crate::http::is_form_media_type(value);
        } else if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok()?;
        }
    }
    if length > MAX_CALLBACK_BYTES {
        return None;
    }
    let request = RawRequest {
        method,
        target,
        is_form,
        body: Vec::new(),
    };
    Some((request, length))
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn heads() {
        let (request, length) = parse_head(b"GET /cb?code=c HTTP/1.1\r\nHost: x").unwrap();
        assert_eq!(
            (request.method.as_str(), request.target.as_str()),
            ("GET", "/cb?code=c")
        );
        assert_eq!(length, 0);
        let (request, length) = parse_head(
            b"POST /cb HTTP/1.0\r\ncontent-type: application/x-www-form-urlencoded\r\nContent-Length: 12",
        )
        .unwrap();
        assert!(request.is_form);
        assert_eq!(length, 12);
        // A body of exactly the callback's cap may be announced.
        let at_cap = alloc::format!("POST /cb HTTP/1.1\r\nContent-Length: {MAX_CALLBACK_BYTES}");
        assert_eq!(parse_head(at_cap.as_bytes()).unwrap().1, MAX_CALLBACK_BYTES);
        for bad in [
            &b""[..],
            b"GET /cb",
            b"GET /cb HTTP/2",
            b"GET /cb HTTP/1.1 extra",
            b"GET /cb HTTP/1.1\r\nno colon",
            b"POST /cb HTTP/1.1\r\nContent-Length: -1",
            b"POST /cb HTTP/1.1\r\nContent-Length: 99999999",
            b"\xff\xfe HTTP/1.1",
        ] {
            assert!(parse_head(bad).is_none(), "{bad:?}");
        }
    }

    /// `pieces` sent by a client on 127.0.0.1, `pause` apart, and read by
    /// [`read_request`] within `within`, the client keeping its side open.
    fn read_sent_in(pieces: Vec<Vec<u8>>, pause: Duration, within: Duration) -> Option<RawRequest> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let client = std::thread::spawn(move || {
            use std::io::Write;
            let mut stream = TcpStream::connect(address).unwrap();
            for (n, piece) in pieces.iter().enumerate() {
                if n > 0 {
                    std::thread::sleep(pause);
                }
                // The server may stop reading (and close) before all is sent.
                let _ = stream.write_all(piece);
            }
            stream
        });
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let read = read_request(&mut stream, Instant::now(), within);
        drop(client.join().unwrap());
        read
    }

    fn read_sent(request: Vec<u8>) -> Option<RawRequest> {
        read_sent_in(alloc::vec![request], Duration::ZERO, Duration::from_secs(5))
    }

    /// `request` sent in two pieces, split at `at`, 50 ms apart.
    fn read_split(request: &[u8], at: usize) -> Option<RawRequest> {
        let (first, rest) = request.split_at(at);
        let pieces = alloc::vec![first.to_vec(), rest.to_vec()];
        read_sent_in(pieces, Duration::from_millis(50), Duration::from_secs(5))
    }

    /// A client that drips its head, or its body, past the deadline is
    /// dropped; the same pieces without the pauses are read.
    #[test]
    fn a_request_dripping_past_the_deadline_is_dropped() {
        let head = [
            &b"GET /cb?code=c HTTP/1.1\r\n"[..],
            b"Host: 127.0.0.1\r\n",
            b"\r\n",
        ];
        let body = [
            &b"POST /cb HTTP/1.1\r\nContent-Length: 6\r\n\r\n"[..],
            b"cod",
            b"e=c",
        ];
        for (pieces, sent_body) in [(&head, &b""[..]), (&body, b"code=c")] {
            let pieces: Vec<Vec<u8>> = pieces.iter().map(|piece| piece.to_vec()).collect();
            let within = Duration::from_millis(200);
            let pause = Duration::from_millis(300);
            assert!(read_sent_in(pieces.clone(), pause, within).is_none());
            let read = read_sent_in(pieces.clone(), Duration::ZERO, within).unwrap();
            assert_eq!(read.body, sent_body);
            // Pieces that keep coming within the deadline are read whole.
            let pause = Duration::from_millis(50);
            let read = read_sent_in(pieces, pause, Duration::from_secs(5)).unwrap();
            assert_eq!(read.body, sent_body);
        }
    }

    /// The head [`with_header_of`] pads.
    const PADDED: &[u8] = b"GET /cb?code=c HTTP/1.1\r\nX-Pad: ";

    fn with_header_of(bytes: usize) -> Vec<u8> {
        let mut request = PADDED.to_vec();
        request.resize(request.len() + bytes, b'a');
        request.extend_from_slice(b"\r\n\r\n");
        request
    }

    /// A request read off a socket, its form body to its announced length;
    /// a head over the cap is refused, one under it (past the callback's
    /// own cap, for a browser's headers) is read.
    #[test]
    fn requests_are_read_off_the_socket_within_the_cap() {
        let request = read_sent(
            b"POST /cb HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\n\r\ncode=cEXTRA"
                .to_vec(),
        )
        .unwrap();
        assert_eq!(
            (
                request.method.as_str(),
                request.target.as_str(),
                request.is_form
            ),
            ("POST", "/cb", true)
        );
        assert_eq!(request.body, b"code=c");

        let request = read_sent(with_header_of(MAX_CALLBACK_BYTES + 4 * 1024)).unwrap();
        assert_eq!(request.target, "/cb?code=c");
        assert!(read_sent(with_header_of(MAX_REQUEST_BYTES + 2 * 1024)).is_none());
        // A head that reaches the cap exactly before its blank line comes
        // is still read.
        let exact = with_header_of(MAX_REQUEST_BYTES - PADDED.len());
        assert!(read_split(&exact, MAX_REQUEST_BYTES).is_some());
        // However the bytes arrive: here the first read takes one byte.
        let over = with_header_of(MAX_REQUEST_BYTES + 2 * 1024);
        assert!(read_split(&over, 1).is_none());
    }

    proptest! {
        /// Whatever a local client sends, the head parser answers without
        /// a panic, and never announces a body over the cap.
        #[test]
        fn any_head_is_parsed_or_refused(head in proptest::collection::vec(any::<u8>(), 0..512)) {
            if let Some((_, length)) = parse_head(&head) {
                prop_assert!(length <= MAX_CALLBACK_BYTES);
            }
        }

        #[test]
        fn any_printable_head_is_parsed_or_refused(head in "[ -~\r\n]{0,300}") {
            let _ = parse_head(head.as_bytes());
        }
    }
}
