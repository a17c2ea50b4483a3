//! Classic cross-site scripting vectors (OWASP filter-evasion cheat sheet, published mutation-XSS
//! payloads): none may leave anything active in the output, judged by re-tokenizing the output
//! as a browser would.

mod common;

use orrery_sanitize::sanitize_html;

const VECTORS: &[&str] = &[
    // Script elements, however written.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.test/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>alert(1);//<</script>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<script/xss src=\"http://xss.test/xss.js\"></script>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><script xlink:href=\"data:,alert(1)\"></script></svg>",
    "<template><script>alert(1)</script></template>",
    // Event handlers.
    "<img src=x onerror=alert(1)>",
    "<img src=x OnErRoR=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<svg onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<div onmouseover\n=\nalert(1)>x</div>",
    "<a href=\"http://ok.test/\" onclick=\"alert(1)\">ok</a>",
    // Script URLs, obfuscated.
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<a href=\"&#1;javascript:alert(1)\">x</a>",
    "<a href=\"javascript&colon;alert(1)\">x</a>",
    "<a href=\"java&Tab;script:alert(1)\">x</a>",
    "<a href=\"javas&#99;ript:alert(1)\">x</a>",
    "<a href=\"&#x6a;avascript:alert(1)\">x</a>",
    "<a href=\"javascript&#58;alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<img srcset=\"javascript:alert(1) 1x, http://ok.test/x.png 2x\">",
    "<img srcset=\"http://ok.test/a.png 1x, javascript:alert(1) 2x\">",
    "<video poster=\"javascript:alert(1)\"></video>",
    "<input type=\"image\" src=\"javascript:alert(1)\">",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<blockquote cite=\"javascript:alert(1)\">x</blockquote>",
    "<img lowsrc=\"javascript:alert(1)\" dynsrc=\"javascript:alert(1)\">",
    "<a href=\"http://ok.test/\" ping=\"javascript:alert(1)\">x</a>",
    // Forms and embedded documents.
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<form><button formaction=\"javascript:alert(1)\">x</button></form>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<applet code=\"x.class\"><param name=x value=y><b>fallback</b></applet>",
    "<base href=\"javascript:alert(1)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<link rel=\"stylesheet\" href=\"javascript:alert(1)\">",
    "<frameset><frame src=\"javascript:alert(1)\"></frameset>",
    // SVG and MathML.
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<svg><animate attributeName=\"href\" values=\"javascript:alert(1)\" /></svg>",
    "<svg><set attributeName=\"xlink:href\" to=\"javascript:alert(1)\" /></svg>",
    "<svg><a><animate attributeName=href to=javascript:alert(1) begin=0 /><text x=20 y=20>click</text></a></svg>",
    "<svg><a><animate attributeName=\"xlink:href\" from=\"javascript:alert(1)\" to=\"&\" /></a></svg>",
    "<svg><use xlink:href=\"data:image/svg+xml;base64,PHN2ZyBpZD0neCcgb25sb2FkPSdhbGVydCgxKSc+PC9zdmc+#x\"/></svg>",
    "<svg><image href=\"javascript:alert(1)\"/></svg>",
    "<svg><foreignObject><iframe src=\"javascript:alert(1)\"></iframe></foreignObject></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<math href=\"javascript:alert(1)\">x</math>",
    "<math><maction actiontype=\"statusline\" xlink:href=\"javascript:alert(1)\">x</maction></math>",
    // Mutation XSS through namespace confusion and raw-text elements.
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<svg></p><style><a id=\"</style><img src=1 onerror=alert(1)>\">",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<table><td><noscript><style></noscript><img src=x onerror=alert(1)></style>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title=\"</style><img src onerror=alert(1)>\"></style></h1>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<textarea><script>alert(1)</script></textarea>",
    "<textarea></textarea><script>alert(1)</script>",
    "<title><img src=x onerror=alert(1)></title>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<plaintext><script>alert(1)</script>",
    "<noembed><img src=x onerror=alert(1)></noembed>",
    "<noframes><img src=x onerror=alert(1)></noframes>",
    "<iframe><img src=x onerror=alert(1)></iframe>",
    "<select><template><img src=x onerror=alert(1)></template></select>",
    // CSS.
    "<div style=\"width: expression(alert(1))\">x</div>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<div style=\"background-image: url(&quot;javascript:alert(1)&quot;)\">x</div>",
    "<div style=\"behavior: url(xss.htc)\">x</div>",
    "<div style=\"-moz-binding:url(http://xss.test/xss.xml#xss)\">x</div>",
    "<div style=\"x:\\65xpression(alert(1))\">x</div>",
    "<div style=\"color: red; width: e&#x78;pression(alert(1))\">x</div>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<span style=\"font-family: 'x';background:url(javascript:alert(1))\">x</span>",
    // Comments.
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<!-- x --!><img src=x onerror=alert(1)>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<? echo '<script>alert(1)</script>' ?>",
    "<![CDATA[<script>alert(1)</script>]]>",
    // Script, style and applet content read as markup, their text hidden by counting tags.
    "</script><script>alert(1)</script>",
    "</script><script><img src=x onerror=alert(1)>alert(1)</script>",
    "<script>a<script>b</script><img src=x onerror=alert(1)></script>",
    "</script><script>/* <script> */ '<svg onload=alert(1)>'</script>",
    "</script><script>document.write('<script>alert(1)<\\/script>')</script>",
    "</script><script><!--<script>alert(1)</script>--></script>",
    "</style><style><a href=javascript:alert(1)>x</a></style>",
    "</style><style>@import 'javascript:alert(1)';</style>",
    "</applet><applet><script>alert(1)</script></applet>",
    "<script src=\"x.js\"/><iframe src=javascript:alert(1)></iframe>",
    "</script><svg><script>alert(1)</script><a xlink:href=javascript:alert(1)>x</a></svg>",
    // Containment: open elements must not swallow the page around the fragment.
    "<a href=\"http://ok.test/\">unclosed link",
    "<textarea>unclosed textarea",
    "<select><option>x",
    "<table><tr><td>cell",
    "<b><i>misnested</b></i>",
    "<noscript>unclosed",
];

#[test]
fn vectors_leave_nothing_active() {
    assert!(VECTORS.len() >= 50);
    let mut failures = Vec::new();
    for vector in VECTORS {
        let out = sanitize_html(vector, None);
        let problems = common::problems(&out);
        if !problems.is_empty() {
            failures.push(format!("{vector:?}\n  -> {out:?}\n  {problems:?}"));
        }
        // The output is stable: sanitizing it again changes nothing.
        assert_eq!(
            sanitize_html(&out, None),
            out,
            "not idempotent for {vector:?}"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_checker_catches_what_it_must() {
    // Guards the guard: unsanitized vectors must be flagged.
    for raw in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<div style=\"width: expression(alert(1))\">x</div>",
        "<!--[if IE]><b>x</b><![endif]-->",
        "<a href=\"http://ok.test/\">open",
        "<svg><set attributeName=\"href\" to=\"x\"/></svg>",
    ] {
        assert!(!common::problems(raw).is_empty(), "checker misses {raw:?}");
    }
}

#[test]
fn rejected_links_are_emptied_and_harmless_markup_kept() {
    assert_eq!(
        sanitize_html("<a href=\"jav&#x09;ascript:alert(1)\">x</a>", None),
        "<a href=\"\">x</a>"
    );
    assert_eq!(
        sanitize_html("<img src=\"javascript:alert(1)\" alt=\"a\">", None),
        "<img alt=\"a\" />"
    );
    assert_eq!(
        sanitize_html("<img src=\"data:image/png;base64,iVBORw0KGgo=\">", None),
        "<img src=\"data:image/png;base64,iVBORw0KGgo=\" />"
    );
    assert_eq!(
        sanitize_html(
            "<img srcset=\"a.png 1x, b.png 2x\">",
            Some("http://b.test/d/")
        ),
        "<img srcset=\"http://b.test/d/a.png 1x, http://b.test/d/b.png 2x\" />"
    );
    assert_eq!(sanitize_html("<b><i>x</b>y</i>", None), "<b><i>x</i></b>y");
    assert_eq!(
        sanitize_html("<a href=\"/x\">open", None),
        "<a href=\"/x\">open</a>"
    );
    assert_eq!(sanitize_html("x</div>y", None), "xy");
    // `<!--` inside a value or a textarea is no comment: nothing after it is lost.
    assert_eq!(
        sanitize_html("<a title=\"<!--\" href=\"/x\">t</a> after", None),
        "<a href=\"/x\" title=\"&lt;!--\">t</a> after"
    );
    assert_eq!(
        sanitize_html("<textarea>a<!--b</textarea><p>c</p>", None),
        "<textarea>a&lt;!--b</textarea><p>c</p>"
    );
    assert_eq!(
        sanitize_html("<textarea><b>x</b></textarea>", None),
        "<textarea>&lt;b>x&lt;/b></textarea>"
    );
    assert_eq!(
        sanitize_html("<p title=\"&#8217; &amp; &\">&nbsp;&copy 1&#150;</p>", None),
        "<p title=\"&#8217; &amp; &amp;\">&nbsp;&copy; 1&#x2013;</p>"
    );
}

#[test]
fn limits_hold() {
    let deep = format!("{}x", "<div>".repeat(1000));
    let out = sanitize_html(&deep, None);
    assert_eq!(out.matches("<div>").count(), orrery_sanitize::MAX_DEPTH);
    assert_eq!(out.matches("</div>").count(), orrery_sanitize::MAX_DEPTH);

    // Without the attribute cap this tag alone would take minutes to tokenize.
    let attrs: String = (0..100_000).map(|i| format!(" a{i}")).collect();
    let wide = format!("<p{attrs} title=t>x</p>");
    assert_eq!(sanitize_html(&wide, None), "<p>x</p>");

    let many_closers = "</b>".repeat(10_000);
    assert_eq!(sanitize_html(&many_closers, None), "");
}

/// The text outside comments (the output keeps only comments a browser ends at `-->`).
fn outside_comments(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("-->")
            .map_or("", |end| &rest[start + end + 3..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn script_text_is_hidden_by_counting_tags() {
    // (input, the Universal Feed Parser's 6.0.14 output with `<` in text escaped). Script,
    // style and applet content is read as markup; its text is dropped while their start tags
    // outnumber their end tags or, after a stray end tag, are outnumbered by them.
    let cases = [
        ("</script>a<script>b &lt; c</script>d", "b &lt; c"),
        (
            "x</script><script>if (a < b) { alert('<b>hi</b>') }</script>y",
            "xif (a &lt; b) { alert('<b>hi</b>') }",
        ),
        (
            "</script><script>/* <script> */ alert(1) </script>x",
            "/* x",
        ),
        ("<script>a<script>b</script>c</script>d", "d"),
        ("</script><script>a<script>b</script>c</script>d", "ac"),
        (
            "</style><style>b { color: red }</style>x",
            "b { color: red }",
        ),
        ("<style>p {}</style></style>x<style>y", "y"),
        ("<script></style>x", "x"),
        ("</applet><applet>shown</applet>hidden", "shown"),
        (
            "</script><script>x<img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">l</a>",
            "x<img src=\"x\" /><a href=\"\">l</a>",
        ),
        ("<script>a</script>b<script/>c", "bc"),
        ("<script src=\"x.js\"/>hidden</script>shown", "shown"),
        (
            "<script><!-- hide\nalert(1)\n// --></script>after",
            "<!-- hide\nalert(1)\n// -->after",
        ),
    ];
    for (input, expected) in cases {
        let out = sanitize_html(input, None);
        assert_eq!(out, expected, "{input:?}");
        assert_eq!(sanitize_html(&out, None), out, "not idempotent: {input:?}");
        let visible = outside_comments(&out).to_ascii_lowercase();
        for active in [
            "<script",
            "<style",
            "<applet",
            "javascript:",
            "onerror",
            "onload",
        ] {
            assert!(
                !visible.contains(active),
                "{active} in {out:?} from {input:?}"
            );
        }
        assert!(common::problems(&out).is_empty(), "{input:?} -> {out:?}");
    }
}
