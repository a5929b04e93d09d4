//! Replays every fuzz corpus input and every crash ever found
//! (`fuzz/corpus/<target>/`, `fuzz/artifacts/<target>/crash-*`) through
//! the same checks the fuzz targets run, on stable Rust, so CI checks them
//! without nightly.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::path::Path;

#[test]
fn replay_corpora_and_crashes() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, target) in targets::TARGETS {
        let mut replayed = 0;
        for dir in [
            fuzz.join("corpus").join(name),
            fuzz.join("artifacts").join(name),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                // A running fuzzer may replace its corpus under us.
                let input = match std::fs::read(&path) {
                    Ok(input) => input,
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(error) => panic!("{}: {error}", path.display()),
                };
                let outcome = std::panic::catch_unwind(|| target(&input));
                assert!(
                    outcome.is_ok(),
                    "{name}: {} fails its checks",
                    path.display()
                );
                replayed += 1;
            }
        }
        assert!(replayed > 0, "no corpus for fuzz target {name}");
    }
}
