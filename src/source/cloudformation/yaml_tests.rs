//! Tests of the YAML front-end (`yaml.rs`).

use super::*;

fn p(text: &str) -> Node {
    match parse(text, FileId(0)) {
        Ok(n) => n,
        Err(e) => panic!("parse failed: {e:?}"),
    }
}

fn snippet(text: &str, span: Span) -> &str {
    &text[span.start as usize..span.end as usize]
}

#[test]
fn short_form_tags_become_long_form() {
    let text =
        "A: !GetAtt Role.Arn\nB: !Ref X\nC: !If [c, a, b]\nD: !Sub 'x-${Y}'\nE: !GetAtt [R, Arn]\n";
    let root = p(text);
    let (_, a) = root.get("A").unwrap();
    let (k, v) = a.get("Fn::GetAtt").unwrap();
    assert_eq!(k.name, "Fn::GetAtt");
    let NodeKind::List(parts) = &v.kind else {
        panic!()
    };
    assert_eq!(parts[0].as_text().unwrap().as_literal().unwrap(), "Role");
    assert_eq!(parts[1].as_text().unwrap().as_literal().unwrap(), "Arn");
    assert_eq!(snippet(text, a.span), "!GetAtt Role.Arn");
    let (_, b) = root.get("B").unwrap();
    assert!(b.get("Ref").is_some());
    let (_, c) = root.get("C").unwrap();
    let (_, args) = c.get("Fn::If").unwrap();
    assert!(matches!(&args.kind, NodeKind::List(l) if l.len() == 3));
    let (_, d) = root.get("D").unwrap();
    assert!(d.get("Fn::Sub").is_some());
    let (_, e) = root.get("E").unwrap();
    assert!(e.get("Fn::GetAtt").is_some());
}

#[test]
fn block_tagged_sequence() {
    let text = "V: !If\n  - c\n  - !Ref A\n  - !Ref AWS::NoValue\n";
    let root = p(text);
    let (_, v) = root.get("V").unwrap();
    let (_, args) = v.get("Fn::If").unwrap();
    let NodeKind::List(items) = &args.kind else {
        panic!()
    };
    assert_eq!(items.len(), 3);
    assert_eq!(snippet(text, items[1].span), "!Ref A");
}

#[test]
fn spans_are_bytes_after_non_ascii() {
    let text = "a: \"é€😀\"\nb: value\n";
    let root = p(text);
    let (k, v) = root.get("b").unwrap();
    assert_eq!(snippet(text, k.span), "b");
    assert_eq!(snippet(text, v.span), "value");
    let (_, a) = root.get("a").unwrap();
    assert_eq!(snippet(text, a.span), "\"é€😀\"");
}

#[test]
fn long_non_ascii_file_keeps_spans() {
    let mut text = String::new();
    for i in 0..400 {
        text.push_str(&format!("k{i}: \"ü{i}ü\"\n"));
    }
    let root = p(&text);
    let (k, v) = root.get("k399").unwrap();
    assert_eq!(snippet(&text, k.span), "k399");
    assert_eq!(snippet(&text, v.span), "\"ü399ü\"");
}

#[test]
fn scalar_types() {
    let root = p("a: 1\nb: true\nc: '1'\nd: 2012-10-17\ne: ~\nf: 1.5e3\n");
    assert!(matches!(root.get("a").unwrap().1.kind, NodeKind::Number(_)));
    assert!(matches!(
        root.get("b").unwrap().1.kind,
        NodeKind::Bool(true)
    ));
    assert!(matches!(root.get("c").unwrap().1.kind, NodeKind::Str(_)));
    assert!(matches!(root.get("d").unwrap().1.kind, NodeKind::Str(_)));
    assert!(matches!(root.get("e").unwrap().1.kind, NodeKind::Null));
    assert!(matches!(root.get("f").unwrap().1.kind, NodeKind::Number(_)));
}

#[test]
fn block_mapping_span_covers_its_entries() {
    let text = "R:\n  Type: T\n  Properties:\n    X: 1\n\n# c\nS: 2\n";
    let root = p(text);
    let (_, r) = root.get("R").unwrap();
    assert_eq!(snippet(text, r.span), "Type: T\n  Properties:\n    X: 1");
}

#[test]
fn aliases_expand() {
    let root = p("a: &x {k: v}\nb: *x\n");
    let (_, b) = root.get("b").unwrap();
    assert!(b.get("k").is_some());
}

fn lit(node: &Node, key: &str) -> String {
    match node.get(key) {
        Some((_, v)) => v.as_text().and_then(Text::as_literal).unwrap_or_default(),
        None => panic!("no key {key}"),
    }
}

#[test]
fn merge_key_adds_the_anchored_entries_and_written_keys_win() {
    // `B` is written after the merge and `C` before it: both beat the merged values.
    let text = "base: &b {A: a0, B: b0, C: c0}
m:
  C: c1
  <<: *b
  B: b1
";
    let root = p(text);
    let (_, m) = root.get("m").unwrap();
    assert_eq!(lit(m, "A"), "a0");
    assert_eq!(lit(m, "B"), "b1");
    assert_eq!(lit(m, "C"), "c1");
    let NodeKind::Map(entries) = &m.kind else {
        panic!()
    };
    // One entry per key: the merged `B` and `C` are dropped, not shadowed, and `<<` is gone.
    let mut names: Vec<_> = entries.iter().map(|(k, _)| k.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["A", "B", "C"]);
    // A merged value keeps the span where it is written: in the anchored mapping.
    let (k, a) = m.get("A").unwrap();
    assert_eq!(&text[..k.span.start as usize], "base: &b {");
    assert_eq!(snippet(text, a.span), "a0");
    assert_eq!(&text[..a.span.start as usize], "base: &b {A: ");
}

#[test]
fn earlier_mappings_of_a_merge_list_win() {
    let text = "a: &a {K: a, X: a}
b: &b {K: b, L: b, X: b}
m:
  <<: [*a, *b]
  X: m
";
    let root = p(text);
    let (_, m) = root.get("m").unwrap();
    assert_eq!(lit(m, "K"), "a");
    assert_eq!(lit(m, "L"), "b");
    assert_eq!(lit(m, "X"), "m");
    // Reversed order, reversed winner.
    let root = p("a: &a {K: a}
b: &b {K: b}
m: {<<: [*b, *a]}
");
    assert_eq!(lit(root.get("m").unwrap().1, "K"), "b");
}

#[test]
fn merges_nest_and_take_inline_mappings() {
    let text = "a: &a {A: 1, K: a}
b: &b {<<: *a, K: b}
m: {<<: [*b, {I: i}]}
";
    let root = p(text);
    let (_, m) = root.get("m").unwrap();
    assert!(matches!(m.get("A").unwrap().1.kind, NodeKind::Number(_)));
    assert_eq!(lit(m, "K"), "b");
    assert_eq!(lit(m, "I"), "i");
}

#[test]
fn block_mapping_of_only_a_merge_ends_at_the_alias() {
    let text = "a: &a
  K: v
m:
  <<: *a
n: 1
";
    let root = p(text);
    let (_, m) = root.get("m").unwrap();
    assert_eq!(snippet(text, m.span), "<<: *a");
    assert_eq!(lit(m, "K"), "v");
}

#[test]
fn quoted_merge_key_is_an_ordinary_key() {
    let root = p("a: &a {K: v}
m: {'<<': *a}
");
    let (_, m) = root.get("m").unwrap();
    assert!(m.get("<<").is_some());
    assert!(m.get("K").is_none());
}

#[test]
fn merge_of_a_non_mapping_is_an_error() {
    for text in [
        "s: &s text
m:
  <<: *s
",
        "m:
  <<: text
",
        "a: &a {K: v}
m:
  <<: [*a, text]
",
        "a: &a {K: v}
m:
  <<: [[*a]]
",
        // A short-form tag is a mapping only after it is read as an intrinsic function.
        "m:
  <<: !Ref X
",
        "m:
  <<: !If [c, {A: 1}, {A: 2}]
",
        "r: &r !GetAtt R.Arn
m:
  <<: *r
",
    ] {
        let e = parse(text, FileId(0)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Parse, "{text}");
        assert!(e.message.contains("merge key"), "{text}: {}", e.message);
        assert!(text[e.offset..].starts_with(['*', 't', '[', '!']), "{text}");
    }
}

#[test]
fn merge_key_twice_is_an_error() {
    let e = parse(
        "a: &a {K: v}
m:
  <<: *a
  <<: *a
",
        FileId(0),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Parse);
    assert_eq!(e.offset, 27);
}

#[test]
fn merge_bomb_is_a_limit_error() {
    // Each level merges the previous one and adds nine more copies of it under new keys.
    let mut text = String::from(
        "a0: &a0 {k0: x, k1: x, k2: x, k3: x, k4: x}
",
    );
    for i in 1..12 {
        let prev = i - 1;
        let copies: String = (0..9).map(|j| format!(", c{i}_{j}: *a{prev}")).collect();
        text.push_str(&format!(
            "a{i}: &a{i} {{<<: *a{prev}{copies}}}
"
        ));
    }
    let e = parse(&text, FileId(0)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    // Merge lists count every alias in them.
    let mut text = String::from(
        "a0: &a0 {k: x}
",
    );
    for i in 1..40 {
        let prev = i - 1;
        let list = vec![format!("*a{prev}"); 10].join(", ");
        text.push_str(&format!(
            "a{i}: &a{i} {{<<: [{list}], n{i}: *a{prev}}}
"
        ));
    }
    let e = parse(&text, FileId(0)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
}

#[test]
fn alias_bomb_is_a_limit_error() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
        ));
    }
    let e = parse(&text, FileId(0)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
}

#[test]
fn deep_nesting_is_a_limit_error() {
    let text = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let e = parse(&text, FileId(0)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Limit);
    let block: String = (0..10_000)
        .map(|i| format!("{}- \n", " ".repeat(i)))
        .collect();
    assert!(parse(&block, FileId(0)).is_err());
}

#[test]
fn a_repeated_key_keeps_its_last_value() {
    let text = "a: 1\nb: 2\na: 3\n";
    let root = p(text);
    let NodeKind::Map(entries) = &root.kind else {
        panic!("a mapping");
    };
    let names: Vec<&str> = entries.iter().map(|(k, _)| k.name.as_str()).collect();
    assert_eq!(names, ["b", "a"]);
    let (k, v) = root.get("a").unwrap();
    assert_eq!(k.span.start, 10);
    assert_eq!(snippet(text, v.span), "3");
    // Many repeats of one key in a large mapping stay linear.
    let many: String = (0..50_000)
        .map(|i| format!("k{}: {i}\n", i % 100))
        .collect();
    let NodeKind::Map(entries) = p(&many).kind else {
        panic!("a mapping");
    };
    assert_eq!(entries.len(), 100);
}

#[test]
fn syntax_error_has_a_position() {
    let text = "a: 1\nb: [1, 2\nc: 3\n";
    let e = parse(text, FileId(0)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Parse);
    assert!(e.offset > 0);
}

#[test]
fn literal_block_span_starts_at_content() {
    let text = "P: |\n  {\"a\": 1}\nQ: 2\n";
    let root = p(text);
    let (_, v) = root.get("P").unwrap();
    assert!(snippet(text, v.span).starts_with("{\"a\": 1}"));
}

#[test]
fn garbage_never_panics() {
    for text in [
        "",
        "---",
        "- a\n- b",
        "? [a]\n: b",
        "!Ref",
        "*x",
        "a: *x",
        "&a",
        "{",
        "]",
        "a: !GetAtt",
        "\t- x",
        "%YAML 1.2\n---\na: 1\n--- \nb: 2",
        "a: |\n\tb",
        "a: 'unterminated",
    ] {
        let _ = parse(text, FileId(0));
    }
}

#[test]
fn loosely_indented_flow_and_quoted_continuations_parse_with_spans_in_the_file() {
    let text = "R:\n  P:\n    L: [\n      a, \"b\"\n  ]\n    D: \"one\n    two\"\n    E: x\n";
    let root = p(text);
    let (_, props) = root.get("R").and_then(|(_, r)| r.get("P")).expect("P");
    let (_, list) = props.get("L").expect("L");
    let NodeKind::List(items) = &list.kind else {
        panic!("not a list: {list:?}")
    };
    assert_eq!(snippet(text, items[1].span), "\"b\"");
    assert_eq!(snippet(text, list.span), "[\n      a, \"b\"\n  ]");
    let (_, d) = props.get("D").expect("D");
    assert_eq!(
        d.as_text().and_then(Text::as_literal).as_deref(),
        Some("one two")
    );
    assert_eq!(snippet(text, d.span), "\"one\n    two\"");
    let (k, _) = props.get("E").expect("E");
    assert_eq!(snippet(text, k.span), "E");
}

#[test]
fn a_template_the_recovery_cannot_fix_reports_the_first_error() {
    let text = "R:\n  L: [\n    a,\n  M: x\n";
    let e = parse(text, FileId(0)).expect_err("invalid");
    assert!(e.message.contains("invalid indentation"), "{e:?}");
    assert_eq!(e.offset, text.find("M:").expect("M"));
}
