//! Encoding names as feeds and servers spell them, and strict decoders for them.
//!
//! Names follow Python's codec registry (which is what the documents in the wild were tested
//! against) before falling back to the WHATWG labels encoding_rs knows. Decoding is strict: a
//! byte sequence that is not valid in the named encoding fails, so that the caller can move on
//! to the next candidate.

use std::borrow::Cow;

use encoding_rs::Encoding;

/// A decoder for one named encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Codec {
    /// Only bytes below 0x80.
    Ascii,
    /// ISO 8859-1 proper: every byte is the code point of the same value (no windows-1252
    /// remapping of 0x80..0x9F, unlike the WHATWG label).
    Latin1,
    /// windows-1252 without the five bytes Microsoft never assigned.
    Windows1252,
    /// UTF-16 with an optional byte order mark, little-endian without one.
    Utf16,
    /// UTF-32 with an optional byte order mark, little-endian without one.
    Utf32,
    Utf32Le,
    Utf32Be,
    /// UTF-8, UTF-16LE/BE and the legacy encodings encoding_rs implements.
    Rs(&'static Encoding),
}

/// Python's codec-name normalisation: lower case, runs of punctuation and spaces become `_`.
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_sep = false;
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            if pending_sep && !out.is_empty() {
                out.push('_');
            }
            pending_sep = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_sep = true;
        }
    }
    out
}

impl Codec {
    /// The decoder for `name`, or `None` for a name no registry knows.
    pub(super) fn for_name(name: &str) -> Option<Codec> {
        if name.len() > 64 {
            return None;
        }
        let key = normalize(name);
        let codec = match key.as_str() {
            "utf_8" | "utf8" | "u8" | "utf" | "utf8_ucs2" | "utf8_ucs4" | "cp65001"
            | "utf_8_sig" => Codec::Rs(encoding_rs::UTF_8),
            "ascii" | "us_ascii" | "646" | "ansi_x3.4_1968" | "ansi_x3_4_1968"
            | "ansi_x3.4_1986" | "cp367" | "csascii" | "ibm367" | "iso646_us"
            | "iso_646.irv_1991" | "iso_ir_6" | "us" => Codec::Ascii,
            "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1"
            | "iso_8859_1_1987" | "8859" | "cp819" | "ibm819" | "iso_ir_100" | "csisolatin1" => {
                Codec::Latin1
            }
            "cp1252" | "windows_1252" | "1252" => Codec::Windows1252,
            "utf_16" | "utf16" | "u16" => Codec::Utf16,
            "utf_16_le" | "utf_16le" | "unicodelittleunmarked" => Codec::Rs(encoding_rs::UTF_16LE),
            "utf_16_be" | "utf_16be" | "unicodebigunmarked" => Codec::Rs(encoding_rs::UTF_16BE),
            "utf_32" | "utf32" | "u32" => Codec::Utf32,
            "utf_32_le" | "utf_32le" => Codec::Utf32Le,
            "utf_32_be" | "utf_32be" => Codec::Utf32Be,
            "cp949" | "uhc" | "ks_c_5601" | "ks_c_5601_1987" | "ksc5601" | "ks_x_1001" => {
                Codec::Rs(encoding_rs::EUC_KR)
            }
            "cp932" | "ms932" | "mskanji" | "ms_kanji" | "sjis" | "s_jis" | "shiftjis" => {
                Codec::Rs(encoding_rs::SHIFT_JIS)
            }
            "cp936" | "ms936" => Codec::Rs(encoding_rs::GBK),
            "cp950" | "ms950" | "big5hkscs" | "big5_hkscs" | "big5_tw" | "csbig5" => {
                Codec::Rs(encoding_rs::BIG5)
            }
            "cp874" | "tis620" | "tis_620" => Codec::Rs(encoding_rs::WINDOWS_874),
            "mac_roman" | "macroman" | "macintosh" => Codec::Rs(encoding_rs::MACINTOSH),
            "mac_cyrillic" | "maccyrillic" => Codec::Rs(encoding_rs::X_MAC_CYRILLIC),
            _ => {
                let label = key.replace('_', "-");
                let rs = Encoding::for_label_no_replacement(name.trim().as_bytes())
                    .or_else(|| Encoding::for_label_no_replacement(label.as_bytes()))?;
                if rs == encoding_rs::WINDOWS_1252 {
                    Codec::Windows1252
                } else if rs == encoding_rs::UTF_16LE {
                    // "unicode", "ucs-2" and the like: the byte order is a guess, so refuse.
                    return None;
                } else {
                    Codec::Rs(rs)
                }
            }
        };
        Some(codec)
    }

    /// Decodes all of `bytes`, or `None` if any of them is invalid in this encoding.
    pub(super) fn decode(self, bytes: &[u8]) -> Option<Cow<'_, str>> {
        match self {
            Codec::Ascii => bytes
                .is_ascii()
                .then(|| std::str::from_utf8(bytes).ok().map(Cow::Borrowed))
                .flatten(),
            // Every byte is its own code point; borrowed when the bytes are all ASCII.
            Codec::Latin1 => Some(encoding_rs::mem::decode_latin1(bytes)),
            Codec::Windows1252 => {
                // Python's table leaves these undefined, where the WHATWG maps them to C1.
                let unassigned = |b: &u8| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D);
                if bytes.iter().any(unassigned) {
                    return None;
                }
                strict(encoding_rs::WINDOWS_1252, bytes)
            }
            Codec::Utf16 => match bytes {
                [0xFE, 0xFF, rest @ ..] => strict(encoding_rs::UTF_16BE, rest),
                [0xFF, 0xFE, rest @ ..] => strict(encoding_rs::UTF_16LE, rest),
                _ => strict(encoding_rs::UTF_16LE, bytes),
            },
            Codec::Utf32 => match bytes {
                [0, 0, 0xFE, 0xFF, rest @ ..] => utf32(rest, u32::from_be_bytes),
                [0xFF, 0xFE, 0, 0, rest @ ..] => utf32(rest, u32::from_le_bytes),
                _ => utf32(bytes, u32::from_le_bytes),
            }
            .map(Cow::Owned),
            Codec::Utf32Le => utf32(bytes, u32::from_le_bytes).map(Cow::Owned),
            Codec::Utf32Be => utf32(bytes, u32::from_be_bytes).map(Cow::Owned),
            Codec::Rs(encoding) => strict(encoding, bytes),
        }
    }
}

/// Borrows `bytes` when they are already UTF-8 in the target encoding (the common case).
fn strict<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Option<Cow<'a, str>> {
    encoding.decode_without_bom_handling_and_without_replacement(bytes)
}

/// UTF-32, which encoding_rs leaves out: whole 4-byte units that are Unicode scalar values.
fn utf32(bytes: &[u8], unit: fn([u8; 4]) -> u32) -> Option<String> {
    let chunks = bytes.chunks_exact(4);
    if !chunks.remainder().is_empty() {
        return None;
    }
    let mut out = String::with_capacity(bytes.len() / 4);
    for chunk in chunks {
        let word = unit(<[u8; 4]>::try_from(chunk).ok()?);
        out.push(char::from_u32(word)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_spellings_resolve() {
        assert_eq!(
            Codec::for_name("UTF-8"),
            Some(Codec::Rs(encoding_rs::UTF_8))
        );
        assert_eq!(
            Codec::for_name("utf_8"),
            Some(Codec::Rs(encoding_rs::UTF_8))
        );
        assert_eq!(Codec::for_name("US-ASCII"), Some(Codec::Ascii));
        assert_eq!(Codec::for_name("ISO-8859-1"), Some(Codec::Latin1));
        assert_eq!(Codec::for_name("latin1"), Some(Codec::Latin1));
        assert_eq!(Codec::for_name("Windows-1252"), Some(Codec::Windows1252));
        assert_eq!(Codec::for_name("u16"), Some(Codec::Utf16));
        assert_eq!(Codec::for_name("utf_32"), Some(Codec::Utf32));
        assert_eq!(
            Codec::for_name("euc-kr"),
            Some(Codec::Rs(encoding_rs::EUC_KR))
        );
        assert_eq!(
            Codec::for_name("euc_jp"),
            Some(Codec::Rs(encoding_rs::EUC_JP))
        );
        assert_eq!(
            Codec::for_name("gb18030"),
            Some(Codec::Rs(encoding_rs::GB18030))
        );
        assert_eq!(
            Codec::for_name("koi8_r"),
            Some(Codec::Rs(encoding_rs::KOI8_R))
        );
        assert_eq!(
            Codec::for_name("iso8859_2"),
            Some(Codec::Rs(encoding_rs::ISO_8859_2))
        );
        for unknown in ["bogus", "", "replacement", "iso-2022-kr", "ucs-2"] {
            assert_eq!(Codec::for_name(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn strict_decoding() {
        assert_eq!(Codec::Ascii.decode(b"abc").as_deref(), Some("abc"));
        assert_eq!(Codec::Ascii.decode(b"ab\xe9"), None);
        assert_eq!(
            Codec::Latin1.decode(b"\xe9\x80").as_deref(),
            Some("\u{e9}\u{80}")
        );
        assert_eq!(
            Codec::Windows1252.decode(b"\x93x\x94").as_deref(),
            Some("\u{201c}x\u{201d}")
        );
        assert_eq!(Codec::Windows1252.decode(b"\x81"), None);
        assert_eq!(
            Codec::Rs(encoding_rs::UTF_8).decode(b"\xc3\xa9").as_deref(),
            Some("\u{e9}")
        );
        assert_eq!(Codec::Rs(encoding_rs::UTF_8).decode(b"\xc3"), None);
        assert_eq!(Codec::Utf16.decode(b"\xfe\xff\x00a").as_deref(), Some("a"));
        assert_eq!(Codec::Utf16.decode(b"a\x00").as_deref(), Some("a"));
        assert_eq!(Codec::Rs(encoding_rs::UTF_16BE).decode(b"\xd8\x00"), None);
        assert_eq!(
            Codec::Utf32Be.decode(b"\x00\x01\xf6\x00").as_deref(),
            Some("\u{1f600}")
        );
        assert_eq!(
            Codec::Utf32Le.decode(b"a\x00\x00\x00").as_deref(),
            Some("a")
        );
        assert_eq!(
            Codec::Utf32
                .decode(b"\x00\x00\xfe\xff\x00\x00\x00a")
                .as_deref(),
            Some("a")
        );
        // Surrogates, values past U+10FFFF and partial units are errors.
        assert_eq!(Codec::Utf32Be.decode(b"\x00\x00\xd8\x00"), None);
        assert_eq!(Codec::Utf32Be.decode(b"\x00\x11\x00\x00"), None);
        assert_eq!(Codec::Utf32Be.decode(b"\x00\x00\x00"), None);
    }
}
