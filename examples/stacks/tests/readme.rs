//! The README shows each stack's glue as it is in `src/lib.rs`, so the code
//! a reader copies is the code these tests run.

#[test]
fn readme_shows_the_glue_that_is_tested() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    for stack in ["ureq", "reqwest", "hyper"] {
        let start = format!("// --- {stack} (");
        let end = format!("// --- end {stack} ---");
        let from = source.find(&start).unwrap_or_else(|| panic!("no {start}"));
        let from = from + source[from..].find('\n').unwrap() + 1;
        let to = source.find(&end).unwrap_or_else(|| panic!("no {end}"));
        let glue = source[from..to].trim_end();
        assert!(
            readme.contains(glue),
            "README.md does not show the {stack} glue of src/lib.rs as it is:\n{glue}"
        );
    }
}

/// The README's "lines of crate glue" are those between `glue: start` and
/// `glue: end` marks (all of them), blank lines and comments left out.
#[test]
fn readme_counts_the_glue_lines_as_they_are() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../README.md")).unwrap();
    for integration in ["cli_login", "service", "web_app"] {
        let source = std::fs::read_to_string(root.join(format!("src/{integration}.rs"))).unwrap();
        let mut lines = 0;
        let mut glue = false;
        for line in source.lines().map(str::trim) {
            match line {
                "// --- glue: start ---" => glue = true,
                "// --- glue: end ---" => glue = false,
                _ if glue && !line.is_empty() && !line.starts_with("//") => lines += 1,
                _ => {}
            }
        }
        assert!(lines > 0, "no glue marked in {integration}");
        let row = readme
            .lines()
            .find(|line| line.starts_with(&format!("| [`{integration}`]")))
            .unwrap_or_else(|| panic!("no README row for {integration}"));
        assert!(
            row.ends_with(&format!("| {lines} |")),
            "README.md's row for {integration} should count {lines} lines: {row}"
        );
    }
}
