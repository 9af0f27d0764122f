//! Hash and identifier functions: md5, sha1, sha256, sha512 (hex digests of the UTF-8 bytes)
//! and uuid (a random version 4 UUID).

use md5::Md5;
use plinth_sdk::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::args::{Args, Function};

/// The hash functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("md5", &["str"], digest::<Md5>),
    Function::new("sha1", &["str"], digest::<Sha1>),
    Function::new("sha256", &["str"], digest::<Sha256>),
    Function::new("sha512", &["str"], digest::<Sha512>),
    Function::new("uuid", &[], |_| {
        Ok(Value::String(uuid::Uuid::new_v4().to_string()))
    }),
];

fn digest<D: Digest>(args: &Args) -> Result<Value, String> {
    let hash = D::digest(args.string(0)?.as_bytes());
    Ok(Value::String(
        hash.iter().map(|b| format!("{b:02x}")).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn digests_of_hello_world() {
        assert_eq!(
            ok("md5", vec![s("hello world")]),
            s("5eb63bbbe01eeed093cb22bb8f5acdc3")
        );
        assert_eq!(
            ok("sha1", vec![s("hello world")]),
            s("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed")
        );
        assert_eq!(
            ok("sha256", vec![s("hello world")]),
            s("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")
        );
        assert_eq!(
            ok("sha512", vec![s("hello world")]),
            s("309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f")
        );
        assert!(err("md5", vec![list(vec![])]).contains("\"str\" parameter: string required"));
    }

    #[test]
    fn uuid_is_random_and_well_formed() {
        let first = ok("uuid", vec![]);
        let text = first.as_str().expect("a string").to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.as_bytes()[14], b'4');
        assert_ne!(first, ok("uuid", vec![]));
    }
}
