//! A bounded fuzz harness run with the suite: configurations of examples/ mutated at random
//! (bytes cut, duplicated, swapped; hostile tokens inserted), each run through `validate` and
//! `plan -refresh=false`. No input may make plinth panic, abort or hang, and every run ends with
//! an exit code of 0, 1 or 2. The seed is printed; repeat a run with `PLINTH_TEST_SEED=<seed>`,
//! and run more cases with `PLINTH_FUZZ_CASES=<n>` (default 40). Crashes found here are pinned
//! as named regression tests in `limits.rs` (long names, huge counts) and `paths.rs`.

use std::path::Path;

use crate::support::{Random, Workspace};

/// Tokens that have broken parsers and evaluators before.
const HOSTILE: &[&str] = &[
    "}",
    "{",
    "\"",
    "${",
    "%{",
    "[",
    "(",
    "...",
    "1e20",
    "1e9",
    "-1",
    "count = 1e9\n",
    "for_each = toset([])\n",
    "source = \"../../../../x\"\n",
    "file(\"/dev/zero\")",
    "\u{feff}",
    "\u{0}",
    "<<EOF\n",
    "var.",
    "local.",
    "module.",
    "each.value",
    "count.index",
    "[*]",
    " ? ",
    "!",
    "nonsensitive(",
];

/// Every configuration file of every example: (example, file name, text).
fn seeds() -> Vec<(String, String, String)> {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut out = Vec::new();
    for example in std::fs::read_dir(&examples).expect("list examples") {
        let dir = example.expect("entry").path();
        let Ok(files) = std::fs::read_dir(&dir) else {
            continue;
        };
        for file in files {
            let path = file.expect("entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".tf") {
                let text = std::fs::read_to_string(&path).expect("read example");
                let example = dir.file_name().unwrap().to_string_lossy().into_owned();
                out.push((example, name, text));
            }
        }
    }
    out.sort();
    out
}

/// One random mutation of `text`, at a character boundary.
fn mutate(text: &str, random: &mut Random) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return HOSTILE[random.next_u64() as usize % HOSTILE.len()].to_string();
    }
    let at = random.next_u64() as usize % chars.len();
    let len = 1 + random.next_u64() as usize % 40;
    let end = (at + len).min(chars.len());
    let mut out: Vec<char> = Vec::with_capacity(chars.len() + 64);
    match random.next_u64() % 5 {
        0 => {
            out.extend(&chars[..at]);
            out.extend(&chars[end..]);
        }
        1 => {
            out.extend(&chars[..end]);
            out.extend(&chars[at..]);
        }
        2 => {
            out.extend(&chars);
            out.swap(at, end - 1);
        }
        3 => {
            out.extend(&chars[..at]);
            out.extend("x".repeat(70_000).chars());
            out.extend(&chars[at..]);
        }
        _ => {
            let token = HOSTILE[random.next_u64() as usize % HOSTILE.len()];
            out.extend(&chars[..at]);
            out.extend(token.chars());
            out.extend(&chars[at..]);
        }
    }
    out.into_iter().collect()
}

#[test]
fn mutated_examples_never_panic_validate_or_plan() {
    let cases: usize = std::env::var("PLINTH_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let seeds = seeds();
    assert!(!seeds.is_empty(), "no seeds in examples/");
    let mut random = Random::from_env();
    for case in 0..cases {
        let example = &seeds[random.next_u64() as usize % seeds.len()].0;
        let ws = Workspace::new();
        let target = random.next_u64() as usize % seeds.len();
        for (i, (from, name, text)) in seeds.iter().enumerate() {
            if from != example && i != target {
                continue;
            }
            let mut text = text.clone();
            if i == target {
                for _ in 0..=(random.next_u64() % 3) {
                    text = mutate(&text, &mut random);
                }
            }
            ws.write(name, &text);
        }
        for args in [
            &["validate"][..],
            &["plan", "-refresh=false", "-input=false"][..],
        ] {
            // The support code fails the test on any "panicked" in standard error.
            let outcome = ws.run(args);
            assert!(
                (0..=2).contains(&outcome.code),
                "case {case}: plinth crashed or was killed\n{outcome}"
            );
        }
    }
}
