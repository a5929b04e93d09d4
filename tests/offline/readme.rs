//! Code shown in Markdown is code that compiles: the README's one Rust
//! example is `transports/ureq/examples/sign_in.rs` word for word
//! (compiled with that crate), and no README block carries rustdoc's
//! hidden lines or a `todo!()`, which a repository host or a registry page
//! would show raw. The migration guide's `oauth2` side, which no doctest
//! here can compile, is a marked region of
//! `benches/examples/migrating_from_oauth2.rs` (compiled with the
//! benchmarks package, which depends on `oauth2`).

use std::path::Path;

fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(path)).unwrap()
}

/// The Rust blocks of a Markdown text: the fence's info string and the
/// lines inside.
fn rust_blocks(markdown: &str) -> Vec<(String, Vec<&str>)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, Vec<&str>)> = None;
    for line in markdown.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (Some(_), Some(_)) => blocks.extend(open.take()),
            (None, Some(info)) => open = Some((info.trim().to_owned(), Vec::new())),
            (Some((_, lines)), None) => lines.push(line),
            (None, None) => {}
        }
    }
    blocks
        .into_iter()
        .filter(|(info, _)| {
            info.is_empty() || info == "rust" || info == "rs" || info.starts_with("rust,")
        })
        .collect()
}

#[test]
fn the_readme_example_is_the_compiled_one() {
    let readme = read("README.md");
    let example = read("transports/ureq/examples/sign_in.rs");
    let blocks = rust_blocks(&readme);
    assert_eq!(blocks.len(), 1, "the README has one Rust example");
    let (info, lines) = &blocks[0];
    assert_eq!(info, "rust");
    assert_eq!(
        lines.join("\n"),
        example.trim_end(),
        "README.md's example differs from transports/ureq/examples/sign_in.rs"
    );
}

#[test]
fn no_readme_block_shows_scaffolding() {
    let readme = read("README.md");
    for (_, lines) in rust_blocks(&readme) {
        for line in lines {
            assert!(
                !(line == "#" || line.starts_with("# ") || line.contains("todo!()")),
                "README.md shows rustdoc scaffolding: {line}"
            );
        }
    }
}

#[test]
fn the_migration_guide_shows_the_compiled_oauth2_code() {
    let guide = read("src/manual/migrating_from_oauth2.md");
    let example = read("benches/examples/migrating_from_oauth2.rs");
    let start = "// --- guide: start ---\n";
    let region = &example[example.find(start).unwrap() + start.len()..];
    let region = &region[..region.find("// --- guide: end ---").unwrap()];
    let ignored: Vec<String> = rust_blocks(&guide)
        .into_iter()
        .filter(|(info, _)| info == "rust,ignore")
        .map(|(_, lines)| lines.join("\n"))
        .collect();
    assert_eq!(
        ignored,
        [region.trim_end()],
        "the migration guide's `oauth2` block differs from benches/examples/migrating_from_oauth2.rs"
    );
}
