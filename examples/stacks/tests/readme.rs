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
