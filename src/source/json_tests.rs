//! Tests of the JSON reader: values, spans, duplicate keys, limits and hostile input.

use super::*;
use crate::value::TextPart;

const F: FileId = FileId(7);

fn ok(text: &str) -> Node {
    match parse(text, F, 0) {
        Ok(node) => node,
        Err(e) => panic!("{text:?} should parse, got {e:?}"),
    }
}

fn err(text: &str) -> JsonError {
    match parse(text, F, 0) {
        Ok(node) => panic!("{text:?} should fail, parsed {node:?}"),
        Err(e) => e,
    }
}

fn last_wins(text: &str) -> Node {
    parse_last_wins(text, F, 0).expect("parses")
}

fn keys(node: &Node) -> Vec<&str> {
    entries(node).iter().map(|(k, _)| k.name.as_str()).collect()
}

/// The source text a span covers.
fn src(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

fn string_of(node: &Node) -> String {
    match &node.kind {
        NodeKind::Str(t) => t.as_literal().unwrap(),
        other => panic!("not a string: {other:?}"),
    }
}

fn str_value(text: &str) -> String {
    string_of(&ok(text))
}

fn entries(node: &Node) -> &[(Key, Node)] {
    match &node.kind {
        NodeKind::Map(entries) => entries,
        other => panic!("not a map: {other:?}"),
    }
}

fn items(node: &Node) -> &[Node] {
    match &node.kind {
        NodeKind::List(items) => items,
        other => panic!("not a list: {other:?}"),
    }
}

#[test]
fn spans_cover_keys_values_and_brackets() {
    let text = " {\"Effect\" : \"Allow\",\n \"Action\":[\"iam:PassRole\", 1, true, null, false, {}, []], \"n\": -0.5e+10 } ";
    let doc = ok(text);
    assert_eq!(doc.span.file, F);
    assert_eq!(doc.span.start, 1);
    assert_eq!(src(text, doc.span), text.trim());

    let e = entries(&doc);
    assert_eq!(e.len(), 3);
    let (k, v) = &e[0];
    assert_eq!(k.name, "Effect");
    assert_eq!((k.span.start, k.span.end), (2, 10));
    assert_eq!(src(text, k.span), "\"Effect\"");
    assert_eq!((v.span.start, v.span.end), (13, 20));
    assert_eq!(src(text, v.span), "\"Allow\"");
    assert_eq!(v.kind, NodeKind::Str(Text::lit("Allow")));

    let (k, v) = &e[1];
    assert_eq!(src(text, k.span), "\"Action\"");
    assert_eq!(
        src(text, v.span),
        "[\"iam:PassRole\", 1, true, null, false, {}, []]"
    );
    let list = items(v);
    let tokens: Vec<&str> = list.iter().map(|n| src(text, n.span)).collect();
    assert_eq!(
        tokens,
        ["\"iam:PassRole\"", "1", "true", "null", "false", "{}", "[]"]
    );
    assert_eq!(list[1].kind, NodeKind::Number("1".into()));
    assert_eq!(list[2].kind, NodeKind::Bool(true));
    assert_eq!(list[3].kind, NodeKind::Null);
    assert_eq!(list[4].kind, NodeKind::Bool(false));
    assert_eq!(list[5].kind, NodeKind::Map(vec![]));
    assert_eq!(list[6].kind, NodeKind::List(vec![]));

    let (k, v) = &e[2];
    assert_eq!(src(text, k.span), "\"n\"");
    assert_eq!(src(text, v.span), "-0.5e+10");
    assert_eq!(v.kind, NodeKind::Number("-0.5e+10".into()));
}

#[test]
fn scalar_documents() {
    assert_eq!(ok(" 42 ").kind, NodeKind::Number("42".into()));
    assert_eq!(ok("\"x\"").span, Span::new(F, 0, 3));
    assert_eq!(ok("null").kind, NodeKind::Null);
    assert_eq!(ok("\t\r\n true\n").span, Span::new(F, 4, 8));
}

#[test]
fn spans_with_escapes_cover_the_source_token() {
    let text = r#"{"a\"b": "x\u00e9\n"}"#;
    let doc = ok(text);
    let (k, v) = &entries(&doc)[0];
    assert_eq!(k.name, "a\"b");
    assert_eq!(src(text, k.span), r#""a\"b""#);
    assert_eq!(string_of(v), "xé\n");
    assert_eq!(src(text, v.span), r#""x\u00e9\n""#);
}

#[test]
fn base_offset_is_added_to_every_span() {
    let whole = "resource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n{\"Action\": [\"iam:PassRole\"]}\nEOF\n}\n";
    let start = whole.find("{\"Action").unwrap();
    let end = whole.find("\nEOF").unwrap();
    let doc = parse(&whole[start..end], F, start).unwrap();
    assert_eq!(src(whole, doc.span), "{\"Action\": [\"iam:PassRole\"]}");
    let (k, v) = doc.get("Action").unwrap();
    assert_eq!(src(whole, k.span), "\"Action\"");
    assert_eq!(src(whole, v.span), "[\"iam:PassRole\"]");
    assert_eq!(src(whole, items(v)[0].span), "\"iam:PassRole\"");

    let e = parse("[1,]", F, 1000).unwrap_err();
    assert_eq!(e.offset, 1003);
    let e = parse("", F, 50).unwrap_err();
    assert_eq!(e.offset, 50);
}

#[test]
fn escapes() {
    assert_eq!(
        str_value(r#""\" \\ \/ \b \f \n \r \t""#),
        "\" \\ / \u{8} \u{c} \n \r \t"
    );
    assert_eq!(str_value(r#""\u0041\u00e9\u20AC\u0000""#), "Aé€\0");
    assert_eq!(str_value(r#""plain""#), "plain");
    assert_eq!(str_value(r#""""#), "");
    assert_eq!(str_value("\"raw é 😀\""), "raw é 😀");
    assert_eq!(str_value(r#""a\nb\\""#), "a\nb\\");
    // One literal part: the model expects a plain string, not fragments per escape.
    match ok(r#""a\nb""#).kind {
        NodeKind::Str(t) => assert_eq!(t.parts, vec![TextPart::Lit("a\nb".into())]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn surrogate_pairs() {
    assert_eq!(str_value(r#""\uD83D\uDE00""#), "😀");
    assert_eq!(str_value(r#""x\ud834\udd1ey""#), "x𝄞y");
    assert_eq!(str_value(r#""\uDBFF\uDFFF""#), "\u{10FFFF}");
}

#[test]
fn lone_surrogates_are_errors() {
    let e = err(r#"["ab\uD800"]"#);
    assert_eq!(e.kind, JsonErrorKind::Syntax);
    assert_eq!(e.offset, 4);
    assert!(e.message.contains("lone high surrogate \\uD800"), "{e}");

    let e = err(r#""\uD800\u0041""#);
    assert_eq!(e.offset, 1);
    assert!(e.message.contains("lone high surrogate"), "{e}");

    let e = err(r#""\uD800x""#);
    assert_eq!(e.offset, 1);

    let e = err(r#""a\uDC00""#);
    assert_eq!(e.offset, 2);
    assert!(e.message.contains("lone low surrogate \\uDC00"), "{e}");

    // Two high surrogates: the first has no low partner.
    let e = err(r#""\uD800\uD800""#);
    assert_eq!(e.offset, 1);
}

#[test]
fn bad_escapes() {
    let e = err(r#""ab\q""#);
    assert_eq!((e.kind, e.offset), (JsonErrorKind::Syntax, 3));
    assert!(e.message.starts_with("invalid escape '\\q'"), "{e}");

    let e = err("\"\\é\"");
    assert!(e.message.starts_with("invalid escape '\\é'"), "{e}");

    let e = err("\"\\\n\"");
    assert_eq!(e.offset, 1);
    assert!(e.message.contains("'\\n'"), "{e}");

    let e = err(r#""\u12G4""#);
    assert_eq!(e.offset, 5);
    assert_eq!(e.message, "expected 4 hex digits after \\u, found 'G4'");

    let e = err(r#""\u12"#);
    assert_eq!(e.offset, 0);
    assert!(e.message.starts_with("unterminated string"), "{e}");

    let e = err(r#""abc\"#);
    assert_eq!(e.offset, 0);
    assert!(e.message.starts_with("unterminated string"), "{e}");
}

#[test]
fn strings_reject_control_characters() {
    let e = err("[\"a\nb\"]");
    assert_eq!((e.kind, e.offset), (JsonErrorKind::Syntax, 3));
    assert_eq!(
        e.message,
        "expected '\"' or an escaped character, found control character '\\n' in a string"
    );
    assert_eq!(err("\"\t\"").offset, 1);
    assert_eq!(err("\"\u{1f}\"").offset, 1);
    // DEL and non-ASCII are fine unescaped.
    assert_eq!(str_value("\"\u{7f}\u{a0}\""), "\u{7f}\u{a0}");
}

#[test]
fn numbers() {
    for n in [
        "0",
        "-0",
        "1",
        "-1",
        "10",
        "123456789012345678901234567890",
        "0.5",
        "-0.5e+10",
        "1e5",
        "1E5",
        "1e-5",
        "1.25E+003",
        "0e0",
    ] {
        let node = ok(n);
        assert_eq!(node.kind, NodeKind::Number(n.into()), "{n}");
        assert_eq!(node.span, Span::new(F, 0, n.len()));
    }
    let cases = [
        (
            "-",
            1,
            "unexpected end of input: expected a digit after '-'",
        ),
        ("-a", 1, "expected a digit after '-', found 'a'"),
        (
            "01",
            1,
            "expected '.', 'e' or the end of the number after a leading '0' (leading zeros are not allowed), found '1'",
        ),
        (
            "-012",
            2,
            "expected '.', 'e' or the end of the number after a leading '0' (leading zeros are not allowed), found '12'",
        ),
        (
            "1.",
            2,
            "unexpected end of input: expected a digit after the decimal point",
        ),
        (
            "1.e5",
            2,
            "expected a digit after the decimal point, found 'e5'",
        ),
        (
            "1e",
            2,
            "unexpected end of input: expected a digit in the exponent",
        ),
        (
            "1e+",
            3,
            "unexpected end of input: expected a digit in the exponent",
        ),
        ("1e+x", 3, "expected a digit in the exponent, found 'x'"),
        (".5", 0, "expected a value, found '.'"),
        ("+1", 0, "expected a value, found '+'"),
        (
            "1.5.5",
            3,
            "expected the end of input after the document, found '.'",
        ),
        (
            "[1x]",
            2,
            "expected ',' or ']' after a list element, found 'x'",
        ),
    ];
    for (text, offset, message) in cases {
        let e = err(text);
        assert_eq!(e.kind, JsonErrorKind::Syntax, "{text}");
        assert_eq!(e.offset, offset, "{text}: {e}");
        assert_eq!(e.message, message, "{text}");
    }
}

#[test]
fn syntax_errors_say_what_was_expected_and_found() {
    let cases = [
        ("", 0, "unexpected end of input: expected a value"),
        ("   \n", 4, "unexpected end of input: expected a value"),
        (
            "{\"a\":1 x}",
            7,
            "expected ',' or '}' after an object entry, found 'x'",
        ),
        (
            "{\"a\":1,}",
            7,
            "expected a string key after ',', found '}'",
        ),
        (
            "{\"a\" 1}",
            5,
            "expected ':' after an object key, found '1'",
        ),
        ("{\"a\":}", 5, "expected a value after ':', found '}'"),
        ("{a:1}", 1, "expected a string key or '}', found 'a'"),
        ("{'a':1}", 1, "expected a string key or '}', found '\\''"),
        (
            "{",
            1,
            "unexpected end of input: expected a string key or '}'",
        ),
        ("[", 1, "unexpected end of input: expected a value or ']'"),
        (
            "[1",
            2,
            "unexpected end of input: expected ',' or ']' after a list element",
        ),
        ("[1,]", 3, "expected a value after ',', found ']'"),
        ("[}", 1, "expected a value or ']', found '}'"),
        (
            "[1 2]",
            3,
            "expected ',' or ']' after a list element, found '2'",
        ),
        (
            "{\"a\":1",
            6,
            "unexpected end of input: expected ',' or '}' after an object entry",
        ),
        ("True", 0, "expected a value, found 'True'"),
        ("[tru]", 1, "expected a value or ']', found 'tru'"),
        ("nul", 0, "expected a value, found 'nul'"),
        (
            "{} {}",
            3,
            "expected the end of input after the document, found '{'",
        ),
        (
            "truex",
            4,
            "expected the end of input after the document, found 'x'",
        ),
        ("\u{a0}1", 0, "expected a value, found '\\u{a0}'"),
        (
            "[\"a\" \"b\"]",
            5,
            "expected ',' or ']' after a list element, found '\"'",
        ),
        (
            "\"abc",
            0,
            "unterminated string: expected a closing '\"' before the end of input",
        ),
    ];
    for (text, offset, message) in cases {
        let e = err(text);
        assert_eq!(e.kind, JsonErrorKind::Syntax, "{text:?}");
        assert_eq!(e.offset, offset, "{text:?}: {e}");
        assert_eq!(e.message, message, "{text:?}");
        assert_eq!(e.to_string(), message);
    }
}

#[test]
fn long_tokens_are_cut_in_messages() {
    let text = format!("[{}]", "x".repeat(10_000));
    let e = err(&text);
    assert!(e.message.len() < 200, "{}", e.message);
    assert!(e.message.ends_with("…'"), "{}", e.message);
}

#[test]
fn error_implements_std_error() {
    let e: Box<dyn std::error::Error> = Box::new(err("[1,]"));
    assert_eq!(e.to_string(), "expected a value after ',', found ']'");
}

#[test]
fn nesting_up_to_the_limit_parses() {
    let text = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    let mut node = &ok(&text);
    let mut depth = 1;
    while let NodeKind::List(items) = &node.kind {
        match items.first() {
            Some(inner) => {
                node = inner;
                depth += 1;
            }
            None => break,
        }
    }
    assert_eq!(depth, MAX_DEPTH);
    let text = format!("{}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    ok(&text);
}

#[test]
fn too_deep_is_an_error_not_a_stack_overflow() {
    let text = "[".repeat(10_000);
    let e = err(&text);
    assert_eq!(e.kind, JsonErrorKind::TooDeep);
    assert_eq!(e.offset, MAX_DEPTH);
    assert_eq!(e.message, "nesting deeper than 512 levels");

    let text = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    assert_eq!(err(&text).kind, JsonErrorKind::TooDeep);

    // Empty containers count too.
    let text = format!("{}{{}}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    let e = err(&text);
    assert_eq!((e.kind, e.offset), (JsonErrorKind::TooDeep, MAX_DEPTH));

    let text = "{\"a\":".repeat(10_000);
    let e = err(&text);
    assert_eq!(e.kind, JsonErrorKind::TooDeep);
    assert_eq!(e.offset, MAX_DEPTH * 5);

    let e = parse_last_wins(&"[{\"k\":".repeat(5_000), F, 10).unwrap_err();
    assert_eq!(e.kind, JsonErrorKind::TooDeep);
    assert_eq!(e.offset, 10 + (MAX_DEPTH / 2) * 6);
}

#[test]
fn duplicate_keys_lax_keeps_both_and_get_takes_the_last() {
    let text = r#"{"Effect": "Deny", "Action": "x", "Effect": "Allow"}"#;
    let doc = ok(text);
    let e = entries(&doc);
    assert_eq!(e.len(), 3);
    assert_eq!(e[0].0.name, "Effect");
    assert_eq!(e[2].0.name, "Effect");
    let (k, v) = doc.get("Effect").unwrap();
    assert_eq!(string_of(v), "Allow");
    assert_eq!(k.span.start as usize, text.rfind("\"Effect\"").unwrap());
}

#[test]
fn a_repeated_key_keeps_its_last_value_and_place() {
    let text = r#"{"Effect": "Deny", "Action": "x",  "Effect": "Allow"}"#;
    let doc = last_wins(text);
    assert_eq!(keys(&doc), ["Action", "Effect"]);
    let (k, v) = doc.get("Effect").unwrap();
    assert_eq!(string_of(v), "Allow");
    assert_eq!(k.span.start as usize, text.rfind("\"Effect\"").unwrap());

    // Keys compare after decoding escapes.
    assert_eq!(keys(&last_wins(r#"{"a": 1, "\u0061": 2}"#)), ["a"]);

    // Keys are scoped to their own object; same names in siblings or nested objects stay.
    let fine = r#"{"a": {"a": 1, "b": 2}, "b": [{"a": 1}, {"a": 2}], "c": {"b": {"a": {}}}}"#;
    assert_eq!(last_wins(fine), ok(fine));
    let nested = last_wins(r#"{"a": {"x": 1, "y": 2, "x": 3}}"#);
    let (_, inner) = nested.get("a").unwrap();
    assert_eq!(keys(inner), ["y", "x"]);
    // Without last-wins every entry is kept, as written.
    assert_eq!(keys(&ok(r#"{"x": 1, "x": 2}"#)), ["x", "x"]);
}

#[test]
fn repeated_keys_in_large_objects_are_found_past_the_linear_scan() {
    for dup in [
        0,
        5,
        LINEAR_DUPLICATE_SCAN - 1,
        LINEAR_DUPLICATE_SCAN + 3,
        99,
    ] {
        let mut text = String::from("{");
        for i in 0..100 {
            text.push_str(&format!("\"k{i}\": {i}, "));
        }
        text.push_str(&format!("\"k{dup}\": true}}"));
        let doc = last_wins(&text);
        assert_eq!(entries(&doc).len(), 100, "k{dup}");
        let (_, v) = doc.get(&format!("k{dup}")).unwrap();
        assert!(matches!(v.kind, NodeKind::Bool(true)), "k{dup}");
    }
}

#[test]
fn many_repeats_of_one_key_cost_linear_time() {
    let mut text = String::from("{");
    for i in 0..100_000 {
        text.push_str(&format!("\"k\": {i}, "));
    }
    text.push_str("\"last\": 0}");
    assert_eq!(keys(&last_wins(&text)), ["k", "last"]);
}

#[test]
fn leading_bom_is_skipped_but_counted_in_offsets() {
    let text = "\u{feff}{\"a\": 1}";
    let doc = ok(text);
    assert_eq!(doc.span, Span::new(F, 3, text.len()));
    assert_eq!(src(text, doc.span), "{\"a\": 1}");
    let (k, _) = doc.get("a").unwrap();
    assert_eq!(src(text, k.span), "\"a\"");

    assert_eq!(err("\u{feff}").offset, 3);
    // Only a leading BOM is special.
    let e = err("[\u{feff}1]");
    assert_eq!(e.offset, 1);
    assert_eq!(e.message, "expected a value or ']', found '\\u{feff}'");
    let e = err("\u{feff}\u{feff}1");
    assert_eq!(e.offset, 3);
}

#[test]
fn line_index_lf() {
    let text = "ab\ncd\n\nef";
    let idx = LineIndex::new(text);
    assert_eq!(idx.position(0), (1, 1));
    assert_eq!(idx.position(1), (1, 2));
    assert_eq!(idx.position(2), (1, 3)); // the '\n' itself
    assert_eq!(idx.position(3), (2, 1));
    assert_eq!(idx.position(6), (3, 1));
    assert_eq!(idx.position(7), (4, 1));
    assert_eq!(idx.position(9), (4, 3)); // the end
    assert_eq!(idx.position(1_000_000), (4, 3));
    assert_eq!(idx.position(usize::MAX), (4, 3));
}

#[test]
fn line_index_crlf_and_multibyte() {
    let text = "{\r\n  \"é€\": \"😀x\"\r\n}\r\n";
    let idx = LineIndex::new(text);
    assert_eq!(idx.position(0), (1, 1));
    assert_eq!(idx.position(1), (1, 2)); // '\r' belongs to the line it ends
    assert_eq!(idx.position(3), (2, 1));
    let key = text.find('"').unwrap();
    assert_eq!(idx.position(key), (2, 3));
    let e_acute = text.find('é').unwrap();
    assert_eq!(idx.position(e_acute), (2, 4));
    assert_eq!(idx.position(e_acute + 1), (2, 4)); // inside 'é'
    let euro = text.find('€').unwrap();
    assert_eq!(idx.position(euro), (2, 5));
    assert_eq!(idx.position(euro + 2), (2, 5));
    let colon = text.find(':').unwrap();
    assert_eq!(idx.position(colon), (2, 7));
    let smile = text.find('😀').unwrap();
    assert_eq!(idx.position(smile), (2, 10));
    assert_eq!(idx.position(smile + 3), (2, 10));
    let x = text.find('x').unwrap();
    assert_eq!(idx.position(x), (2, 11));
    let close = text.find('}').unwrap();
    assert_eq!(idx.position(close), (3, 1));
    assert_eq!(idx.position(text.len()), (4, 1));
    assert_eq!(idx.position(text.len() + 5), (4, 1));
}

#[test]
fn line_index_edge_cases() {
    let idx = LineIndex::new("");
    assert_eq!(idx.position(0), (1, 1));
    assert_eq!(idx.position(10), (1, 1));

    let idx = LineIndex::new("€");
    assert_eq!(idx.position(0), (1, 1));
    assert_eq!(idx.position(2), (1, 1));
    assert_eq!(idx.position(3), (1, 2));
    assert_eq!(idx.position(4), (1, 2));

    // A lone CR is a line break (YAML's and editors' view); the CR itself ends its line.
    let idx = LineIndex::new("a\rb\r\rc\r");
    assert_eq!(idx.position(1), (1, 2));
    assert_eq!(idx.position(2), (2, 1));
    assert_eq!(idx.position(4), (3, 1));
    assert_eq!(idx.position(5), (4, 1));
    assert_eq!(idx.position(7), (5, 1));

    // CR LF is one break, also where CRs and LFs are mixed.
    let idx = LineIndex::new("a\r\n\r\nb\n\rc\r\r\nd");
    assert_eq!(idx.position(2), (1, 3)); // the '\n' of the first CR LF
    assert_eq!(idx.position(3), (2, 1));
    assert_eq!(idx.position(5), (3, 1)); // b
    assert_eq!(idx.position(7), (4, 1)); // the lone CR after LF ends an empty line
    assert_eq!(idx.position(8), (5, 1)); // c
    assert_eq!(idx.position(12), (7, 1)); // d
}

#[test]
fn line_index_agrees_with_a_naive_count() {
    let text = "ab€\r\n😀\n\nxé€y\nz\r€\r\rq\r\n";
    let idx = LineIndex::new(text);
    for offset in 0..=text.len() + 2 {
        let mut at = offset.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &text[..at];
        // Every '\n', and every '\r' not followed by '\n', ends a line.
        let ends_line = |i: usize, b: u8| {
            b == b'\n' || (b == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n'))
        };
        let breaks: Vec<usize> = before
            .bytes()
            .enumerate()
            .filter(|&(i, b)| ends_line(i, b))
            .map(|(i, _)| i)
            .collect();
        let line = breaks.len() + 1;
        let line_start = breaks.last().map_or(0, |i| i + 1);
        let column = text[line_start..at].chars().count() + 1;
        assert_eq!(idx.position(offset), (line, column), "offset {offset}");
    }
}

#[test]
fn error_offsets_map_to_lines() {
    let text = "{\r\n  \"a\": tru\r\n}";
    let e = err(text);
    assert_eq!(LineIndex::new(text).position(e.offset), (2, 8));
}

/// A tiny deterministic generator (Knuth's MMIX LCG), so the test needs no crates and is repeatable.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Checks what every successful parse must satisfy: spans lie inside the text, nest inside their
/// parents, and strings and keys are spanned by their quotes.
fn check_spans(text: &str, node: &Node, outer: (usize, usize)) {
    let (start, end) = (node.span.start as usize, node.span.end as usize);
    assert!(
        outer.0 <= start && start <= end && end <= outer.1,
        "{text:?}"
    );
    let token = text.get(start..end).unwrap();
    match &node.kind {
        NodeKind::Str(_) => assert!(token.starts_with('"') && token.ends_with('"')),
        NodeKind::List(items) => {
            assert!(token.starts_with('[') && token.ends_with(']'));
            for item in items {
                check_spans(text, item, (start + 1, end - 1));
            }
        }
        NodeKind::Map(entries) => {
            assert!(token.starts_with('{') && token.ends_with('}'));
            for (k, v) in entries {
                let key = text
                    .get(k.span.start as usize..k.span.end as usize)
                    .unwrap();
                assert!(key.starts_with('"') && key.ends_with('"'));
                check_spans(text, v, (start + 1, end - 1));
            }
        }
        NodeKind::Number(n) => assert_eq!(n, token),
        NodeKind::Bool(b) => assert_eq!(token, b.to_string()),
        NodeKind::Null => assert_eq!(token, "null"),
        NodeKind::Unknown(_) => panic!("the JSON parser never produces Unknown"),
    }
}

#[test]
fn random_printable_ascii_never_panics() {
    let mut rng = Lcg(0x5eed);
    // Structural characters are over-represented so that many inputs get past the first byte.
    let alphabet: Vec<char> = (' '..='~')
        .chain("{}[]\":,\\\"0123-.eu{}[]\"\"".chars())
        .collect();
    let mut parsed = 0;
    for _ in 0..20_000 {
        let len = rng.below(40);
        let text: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        for result in [parse(&text, F, 0), parse_last_wins(&text, F, 0)] {
            match result {
                Ok(node) => {
                    parsed += 1;
                    check_spans(&text, &node, (0, text.len()));
                }
                Err(e) => {
                    assert!(e.offset <= text.len(), "{text:?}: {e:?}");
                    assert!(!e.message.is_empty());
                }
            }
        }
    }
    assert!(
        parsed > 0,
        "the generator should produce some valid documents"
    );
}

/// Writes a random valid document, so the round trip checks the parser on inputs that go deep into
/// every construct, not just the error paths.
fn random_json(rng: &mut Lcg, depth: usize, out: &mut String) {
    let choice = if depth > 6 {
        rng.below(4)
    } else {
        rng.below(7)
    };
    match choice {
        0 => out.push_str(["true", "false", "null"][rng.below(3)]),
        1 => out.push_str(["0", "-1.5", "2e10", "-0.0E-3", "12345"][rng.below(5)]),
        2 | 3 => {
            out.push('"');
            for _ in 0..rng.below(6) {
                out.push_str(
                    ["a", "\\n", "\\u00e9", "é", "\\uD83D\\uDE00", "\\\"", " "][rng.below(7)],
                );
            }
            out.push('"');
        }
        4 | 5 => {
            out.push('[');
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push_str([",", " , ", ",\r\n"][rng.below(3)]);
                }
                random_json(rng, depth + 1, out);
            }
            out.push(']');
        }
        _ => {
            out.push_str("{ ");
            for i in 0..rng.below(4) {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&format!("\"k{i}\"\t: "));
                random_json(rng, depth + 1, out);
            }
            out.push('}');
        }
    }
}

#[test]
fn random_valid_documents_parse_with_consistent_spans() {
    let mut rng = Lcg(42);
    for _ in 0..2_000 {
        let mut text = String::from(" ");
        random_json(&mut rng, 0, &mut text);
        text.push('\n');
        let node = parse_last_wins(&text, F, 0).unwrap_or_else(|e| panic!("{text:?}: {e:?}"));
        check_spans(&text, &node, (0, text.len()));
        assert_eq!(src(&text, node.span), text.trim());

        // Every proper prefix of a valid document is incomplete, hence an error, never a panic.
        let trimmed = text.trim_end();
        for cut in (0..trimmed.len()).filter(|&c| trimmed.is_char_boundary(c)) {
            let prefix = &trimmed[..cut];
            // A number prefix can itself be a complete document ("12" of "12345").
            if let Ok(node) = parse(prefix, F, 0) {
                assert!(matches!(node.kind, NodeKind::Number(_)), "{prefix:?}");
            }
        }
    }
}

#[test]
fn large_documents_parse() {
    let mut text = String::from("{\"Statement\": [");
    for i in 0..20_000 {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            "{{\"Sid\": \"s{i}\", \"Effect\": \"Allow\", \"Action\": [\"iam:PassRole\", \"s3:Get\\u002a\"], \"Resource\": \"arn:aws:iam::123456789012:role/app/r{i}\"}}"
        ));
    }
    text.push_str("]}");
    let doc = parse_last_wins(&text, F, 0).unwrap();
    let (_, statements) = doc.get("Statement").unwrap();
    let list = items(statements);
    assert_eq!(list.len(), 20_000);
    let (_, last) = list[19_999].get("Resource").unwrap();
    assert_eq!(
        src(&text, last.span),
        "\"arn:aws:iam::123456789012:role/app/r19999\""
    );
    let (_, action) = list[5].get("Action").unwrap();
    assert_eq!(string_of(&items(action)[1]), "s3:Get*");
}
