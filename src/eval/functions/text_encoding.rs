//! `textencodebase64` and `textdecodebase64`: strings in other character sets, named by their
//! IANA names or aliases as Terraform (Go's `ianaindex`) names them. The Unicode forms and
//! ISO-8859-1 are coded here; the legacy character sets come from `encoding_rs`.

use base64::Engine;
use encoding_rs::Encoding;
use plinth_sdk::Value;

use super::args::{Args, Function};

/// The text encoding functions.
pub const FUNCTIONS: &[Function] = &[
    Function::new(
        "textencodebase64",
        &["string", "encoding"],
        textencodebase64,
    ),
    Function::new(
        "textdecodebase64",
        &["source", "encoding"],
        textdecodebase64,
    ),
];

/// A character set plinth can encode to and decode from.
enum Charset {
    Utf8,
    Utf16 { little_endian: bool },
    Latin1,
    Ascii,
    Legacy(&'static Encoding),
}

/// The IANA name and the aliases (lower case) of the character sets coded here.
const OWN: [(&str, &[&str]); 5] = [
    ("UTF-8", &["utf-8", "utf8", "csutf8"]),
    ("UTF-16LE", &["utf-16le", "csutf16le"]),
    ("UTF-16BE", &["utf-16be", "csutf16be"]),
    (
        "ISO-8859-1",
        &[
            "iso-8859-1",
            "iso_8859-1:1987",
            "iso-ir-100",
            "iso_8859-1",
            "latin1",
            "l1",
            "ibm819",
            "cp819",
            "csisolatin1",
        ],
    ),
    (
        "US-ASCII",
        &[
            "us-ascii",
            "ascii",
            "iso646-us",
            "ansi_x3.4-1968",
            "ansi_x3.4-1986",
            "iso-ir-6",
            "iso_646.irv:1991",
            "us",
            "ibm367",
            "cp367",
            "csascii",
        ],
    ),
];

/// The legacy character sets by their IANA names (`encoding_rs` knows them by the same names,
/// among others).
const LEGACY: [&str; 33] = [
    "ISO-8859-2",
    "ISO-8859-3",
    "ISO-8859-4",
    "ISO-8859-5",
    "ISO-8859-6",
    "ISO-8859-7",
    "ISO-8859-8",
    "ISO-8859-10",
    "ISO-8859-13",
    "ISO-8859-14",
    "ISO-8859-15",
    "ISO-8859-16",
    "KOI8-R",
    "KOI8-U",
    "IBM866",
    "macintosh",
    "windows-874",
    "windows-1250",
    "windows-1251",
    "windows-1252",
    "windows-1253",
    "windows-1254",
    "windows-1255",
    "windows-1256",
    "windows-1257",
    "windows-1258",
    "Shift_JIS",
    "EUC-JP",
    "ISO-2022-JP",
    "EUC-KR",
    "Big5",
    "GBK",
    "GB18030",
];

/// Finds the character set named `name` (case-insensitively); its IANA name and itself.
fn charset(name: &str) -> Option<(String, Charset)> {
    let lower = name.to_ascii_lowercase();
    for (iana, aliases) in OWN {
        if aliases.contains(&lower.as_str()) {
            let charset = match iana {
                "UTF-8" => Charset::Utf8,
                "UTF-16LE" => Charset::Utf16 {
                    little_endian: true,
                },
                "UTF-16BE" => Charset::Utf16 {
                    little_endian: false,
                },
                "ISO-8859-1" => Charset::Latin1,
                _ => Charset::Ascii,
            };
            return Some((iana.to_string(), charset));
        }
    }
    let iana = LEGACY
        .iter()
        .find(|iana| iana.to_ascii_lowercase() == lower)?;
    Encoding::for_label(lower.as_bytes()).map(|e| (iana.to_string(), Charset::Legacy(e)))
}

fn find_charset(args: &Args) -> Result<(String, Charset), String> {
    let name = args.string(1)?;
    charset(&name).ok_or_else(|| {
        args.invalid(
            1,
            format!(
                "{name:?} is not a supported IANA encoding name or alias in this Terraform version"
            ),
        )
    })
}

fn textencodebase64(args: &Args) -> Result<Value, String> {
    let (iana, charset) = find_charset(args)?;
    let text = args.string(0)?;
    let unrepresentable = || {
        args.invalid(
            0,
            format!("the given string contains characters that cannot be represented in {iana}"),
        )
    };
    let bytes: Vec<u8> = match charset {
        Charset::Utf8 => text.into_bytes(),
        Charset::Utf16 { little_endian } => text
            .encode_utf16()
            .flat_map(|unit| {
                if little_endian {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                }
            })
            .collect(),
        Charset::Latin1 | Charset::Ascii => {
            let limit = if matches!(charset, Charset::Ascii) {
                0x7f
            } else {
                0xff
            };
            text.chars()
                .map(|c| u8::try_from(c).ok().filter(|b| u32::from(*b) <= limit))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(unrepresentable)?
        }
        Charset::Legacy(encoding) => {
            let (bytes, _, unmappable) = encoding.encode(&text);
            if unmappable {
                return Err(unrepresentable());
            }
            bytes.into_owned()
        }
    };
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}

fn textdecodebase64(args: &Args) -> Result<Value, String> {
    let (iana, charset) = find_charset(args)?;
    let source = args.string(0)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(&source)
        .map_err(|_| {
            let offset = corrupt_base64_offset(source.as_bytes());
            args.invalid(
                0,
                format!("the given value is has an invalid base64 symbol at offset {offset}"),
            )
        })?;
    let decoded = match charset {
        Charset::Utf8 => String::from_utf8(bytes).ok(),
        Charset::Utf16 { little_endian } => {
            let units: Option<Vec<u16>> = bytes
                .chunks(2)
                .map(|pair| match *pair {
                    [a, b] if little_endian => Some(u16::from_le_bytes([a, b])),
                    [a, b] => Some(u16::from_be_bytes([a, b])),
                    _ => None,
                })
                .collect();
            units.and_then(|units| String::from_utf16(&units).ok())
        }
        Charset::Latin1 => Some(bytes.iter().map(|b| char::from(*b)).collect()),
        Charset::Ascii => bytes
            .iter()
            .map(|b| b.is_ascii().then_some(char::from(*b)))
            .collect(),
        Charset::Legacy(encoding) => {
            let (text, malformed) = encoding.decode_without_bom_handling(&bytes);
            (!malformed).then(|| text.into_owned())
        }
    };
    decoded
        .filter(|text| !text.contains('\u{fffd}'))
        .map(Value::String)
        .ok_or_else(|| {
            args.invalid(
                0,
                format!("the given string contains symbols that are not defined for {iana}"),
            )
        })
}

/// Where Go's standard base64 decoder reports malformed input: the first byte outside the
/// alphabet, or where padding goes wrong.
fn corrupt_base64_offset(source: &[u8]) -> usize {
    let is_symbol = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    let mut in_quantum = 0;
    for (i, &b) in source.iter().enumerate() {
        if b == b'\n' || b == b'\r' {
            continue;
        }
        if is_symbol(b) {
            in_quantum = (in_quantum + 1) % 4;
            continue;
        }
        if b != b'=' || in_quantum < 2 {
            return i;
        }
        return if in_quantum == 2 && source.get(i + 1) != Some(&b'=') {
            if i + 1 == source.len() {
                source.len()
            } else {
                i
            }
        } else {
            i + 1 + usize::from(in_quantum == 2)
        };
    }
    source.len() - in_quantum
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;

    #[test]
    fn legacy_character_sets_round_trip() {
        let encoded = ok("textencodebase64", vec![s("café"), s("windows-1252")]);
        assert_eq!(encoded, s("Y2Fm6Q=="));
        assert_eq!(
            ok("textdecodebase64", vec![encoded, s("WINDOWS-1252")]),
            s("café")
        );
        assert_eq!(ok("textencodebase64", vec![s("é"), s("latin1")]), s("6Q=="));
    }

    #[test]
    fn characters_a_character_set_lacks_are_refused() {
        assert_eq!(
            err("textencodebase64", vec![s("é"), s("US-ASCII")]),
            "Invalid value for \"string\" parameter: the given string contains characters that cannot be represented in US-ASCII."
        );
        assert_eq!(
            err("textdecodebase64", vec![s("/w=="), s("UTF-8")]),
            "Invalid value for \"source\" parameter: the given string contains symbols that are not defined for UTF-8."
        );
    }

    #[test]
    fn malformed_base64_is_located_as_go_locates_it() {
        assert_eq!(super::corrupt_base64_offset(b"!!!"), 0);
        assert_eq!(super::corrupt_base64_offset(b"SGVsbG8"), 4);
        assert_eq!(super::corrupt_base64_offset(b"SGVsbG8=x"), 8);
    }
}
