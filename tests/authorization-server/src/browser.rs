//! A one-request "browser": sends the authorization GET over loopback TCP, reads the redirect.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long the simulated browser waits for the server before giving up.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Responses larger than this are not a redirect from this server.
const MAX_RESPONSE: u64 = 64 * 1024;

/// Sends `GET {target}` with the given cookie to `addr` and returns the `Location` of a 3xx
/// answer; anything else becomes a description of what came back.
pub(crate) fn follow_once(addr: SocketAddr, target: &str, cookie: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect_timeout(&addr, TIMEOUT)
        .map_err(|e| format!("cannot connect to the authorization server: {e}"))?;
    let io = |e: std::io::Error| format!("talking to the authorization server: {e}");
    stream.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).map_err(io)?;

    let mut raw = Vec::new();
    stream
        .take(MAX_RESPONSE)
        .read_to_end(&mut raw)
        .map_err(io)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP response: {head:?}"))?;
    let location = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("location")
            .then(|| value.trim().to_owned())
    });
    match (status, location) {
        (300..=399, Some(location)) => Ok(location),
        (status, _) => Err(format!(
            "authorization server answered {status} without a redirect: {}",
            body.trim()
        )),
    }
}
