//! Hash and identifier functions: md5, sha1, sha256, sha512 (hex digests of the UTF-8 bytes),
//! their `file*` forms, base64sha256, base64sha512, filebase64sha256, filebase64sha512, bcrypt
//! (salted, so different on every call) and uuid (a random version 4 UUID).

use base64::Engine;
use md5::Md5;
use plinth_sdk::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::args::{Args, Function};
use super::filesystem::read_bytes;

/// The hash functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new("md5", &["str"], digest::<Md5>),
    Function::new("sha1", &["str"], digest::<Sha1>),
    Function::new("sha256", &["str"], digest::<Sha256>),
    Function::new("sha512", &["str"], digest::<Sha512>),
    Function::new("filemd5", &["path"], |a| Ok(hex::<Md5>(&read_bytes(a)?))),
    Function::new("filesha1", &["path"], |a| Ok(hex::<Sha1>(&read_bytes(a)?))),
    Function::new("filesha256", &["path"], |a| {
        Ok(hex::<Sha256>(&read_bytes(a)?))
    }),
    Function::new("filesha512", &["path"], |a| {
        Ok(hex::<Sha512>(&read_bytes(a)?))
    }),
    Function::new("base64sha256", &["str"], |a| {
        Ok(base64::<Sha256>(a.string(0)?.as_bytes()))
    }),
    Function::new("base64sha512", &["str"], |a| {
        Ok(base64::<Sha512>(a.string(0)?.as_bytes()))
    }),
    Function::new("filebase64sha256", &["path"], |a| {
        Ok(base64::<Sha256>(&read_bytes(a)?))
    }),
    Function::new("filebase64sha512", &["path"], |a| {
        Ok(base64::<Sha512>(&read_bytes(a)?))
    }),
    Function::new("uuid", &[], |_| {
        Ok(Value::String(uuid::Uuid::new_v4().to_string()))
    }),
    Function::new("uuidv5", &["namespace", "name"], uuidv5),
    Function::new("bcrypt", &["str"], bcrypt).variadic("cost"),
];

/// `bcrypt(str, cost)`: the `$2a$` hash Go's bcrypt package makes, with its limits and words
/// (a cost below 4 means the default 10; more than 72 bytes are refused, not truncated).
fn bcrypt(args: &Args) -> Result<Value, String> {
    let text = args.string(0)?;
    let cost = if args.len() > 1 {
        args.number(1)?.as_i64().ok_or_else(|| {
            args.failed("value must be a whole number, between -9223372036854775808 and 9223372036854775807")
        })?
    } else {
        10
    };
    if args.len() > 2 {
        return Err(args.failed("bcrypt() takes no more than two arguments"));
    }
    let cost = if cost < 4 { 10 } else { cost };
    let refused = |why: String| args.failed(format!("error occured generating password {why}"));
    if text.len() > 72 {
        return Err(refused(
            "bcrypt: password length exceeds 72 bytes".to_string(),
        ));
    }
    if cost > 31 {
        return Err(refused(format!(
            "crypto/bcrypt: cost {cost} is outside allowed range (4,31)"
        )));
    }
    let hash = ::bcrypt::hash_with_result(text.as_bytes(), cost as u32)
        .map_err(|e| refused(e.to_string()))?;
    Ok(Value::String(
        hash.format_for_version(::bcrypt::Version::TwoA),
    ))
}

/// `uuidv5(namespace, name)`: the name-based UUID of `name` in a well-known namespace (`dns`,
/// `url`, `oid`, `x500`) or one given as a UUID.
fn uuidv5(args: &Args) -> Result<Value, String> {
    let namespace = args.string(0)?;
    let name = args.string(1)?;
    let space = match namespace.as_str() {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => uuid::Uuid::parse_str(other).map_err(|_| {
            args.failed(format!(
                "uuidv5() doesn't support namespace {other} (invalid UUID length: {})",
                other.len()
            ))
        })?,
    };
    Ok(Value::String(
        uuid::Uuid::new_v5(&space, name.as_bytes()).to_string(),
    ))
}

fn digest<D: Digest>(args: &Args) -> Result<Value, String> {
    Ok(hex::<D>(args.string(0)?.as_bytes()))
}

/// The lowercase hex digest of `bytes`.
fn hex<D: Digest>(bytes: &[u8]) -> Value {
    Value::String(
        D::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// The base64 encoding of the raw digest of `bytes`.
fn base64<D: Digest>(bytes: &[u8]) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(D::digest(bytes)))
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
    fn base64_digests_and_file_digests() {
        assert_eq!(
            ok("base64sha256", vec![s("hello world")]),
            s("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=")
        );
        assert_eq!(
            ok("base64sha512", vec![s("hello world")]),
            s("MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw==")
        );
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("f");
        std::fs::write(&path, "hello world").expect("write");
        let path = s(&path.to_string_lossy());
        assert_eq!(
            ok("filemd5", vec![path.clone()]),
            s("5eb63bbbe01eeed093cb22bb8f5acdc3")
        );
        assert_eq!(
            ok("filesha1", vec![path.clone()]),
            ok("sha1", vec![s("hello world")])
        );
        assert_eq!(
            ok("filesha256", vec![path.clone()]),
            ok("sha256", vec![s("hello world")])
        );
        assert_eq!(
            ok("filesha512", vec![path.clone()]),
            ok("sha512", vec![s("hello world")])
        );
        assert_eq!(
            ok("filebase64sha256", vec![path.clone()]),
            ok("base64sha256", vec![s("hello world")])
        );
        assert_eq!(
            ok("filebase64sha512", vec![path]),
            ok("base64sha512", vec![s("hello world")])
        );
        assert!(err("filesha256", vec![s("/nonexistent/file")]).contains("no file exists"));
    }

    #[test]
    fn uuid_is_random_and_well_formed() {
        let first = ok("uuid", vec![]);
        let text = first.as_str().expect("a string").to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.as_bytes()[14], b'4');
        assert_ne!(first, ok("uuid", vec![]));
    }

    #[test]
    fn bcrypt_hashes_verify_and_costs_are_bounded() {
        let hash = ok("bcrypt", vec![s("secret"), n(4.0)]);
        let hash = hash.as_str().expect("a string");
        assert!(hash.starts_with("$2a$04$"), "{hash}");
        assert!(::bcrypt::verify("secret", hash).expect("verifies"));
        assert!(ok("bcrypt", vec![s("x"), n(3.0)])
            .as_str()
            .is_some_and(|h| h.starts_with("$2a$10$")));
        assert_eq!(
            err("bcrypt", vec![s(&"x".repeat(73)), n(4.0)]),
            "Call to function \"bcrypt\" failed: error occured generating password bcrypt: password length exceeds 72 bytes."
        );
    }
}
