//! Properties over arbitrary input: no panic, nothing active in the output, and sanitizing
//! twice gives the same result as sanitizing once.

mod common;

use orrery_sanitize::{resolve_relative_uris, sanitize_html};
use proptest::prelude::*;

/// Pieces that steer generated input into the tokenizer's and filter's corners.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "<script>",
            "</script>",
            "<style>",
            "</style>",
            "<textarea>",
            "</textarea>",
            "<noscript>",
            "</noscript>",
            "<title>",
            "</title>",
            "<xmp>",
            "<iframe>",
            "</iframe>",
            "<plaintext>",
            "<svg>",
            "</svg>",
            "<math>",
            "</math>",
            "<mtext>",
            "<mglyph>",
            "<foreignObject>",
            "<animate attributeName=href values=",
            "<set to=",
            "<a href=",
            "<a xlink:href=",
            "<img src=",
            "<img srcset=",
            "<form action=",
            " onerror=",
            " style=",
            "javascript:",
            "jav&#x09;ascript:",
            "&#106;",
            "data:image/png,",
            "data:text/html,",
            "expression(",
            "url(",
            "<!--",
            "-->",
            "--!>",
            "<!",
            "<?",
            "<![CDATA[",
            "]]>",
            "<!DOCTYPE html>",
            "&",
            "&amp;",
            "&lt;",
            "&#",
            ";",
            "\"",
            "'",
            "<",
            ">",
            "/",
            "=",
            " ",
            "\n",
            "\r",
            "\t",
            "\0",
            "<b>",
            "</b>",
            "<p>",
            "</p>",
            "<div>",
            "</div>",
            "<table>",
            "<td>",
            "<select>",
            "<option>",
            "<template>",
            "<applet>",
            "</applet>",
            "<br/>",
            "<p/>",
            "<circle r=1/>",
            "-",
            "x",
        ])
        .prop_map(str::to_owned),
        "[a-z0-9 :;#()=\"'<>&/-]{0,8}",
        any::<String>(),
    ]
}

fn markup() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn output_is_inert_and_stable(input in markup()) {
        let once = sanitize_html(&input, None);
        let problems = common::problems(&once);
        prop_assert!(problems.is_empty(), "{:?} -> {:?}: {:?}", input, once, problems);
        let twice = sanitize_html(&once, None);
        prop_assert_eq!(&twice, &once, "not idempotent for {:?}", input);
    }

    #[test]
    fn arbitrary_strings_never_panic(input in any::<String>(), base in "[a-z:/.]{0,20}") {
        let out = sanitize_html(&input, Some(&base));
        prop_assert!(common::problems(&out).is_empty(), "{:?} -> {:?}", input, out);
        let _ = resolve_relative_uris(&input, &base);
    }

    #[test]
    fn output_size_is_linear(input in markup()) {
        let out = sanitize_html(&input, Some("http://base.test/a/"));
        prop_assert!(out.len() <= 16 * input.len() + 64 * 1024, "{} -> {}", input.len(), out.len());
    }
}
