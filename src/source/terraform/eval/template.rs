//! `templatefile()` templates: `${name}` replaced by the variable passed in the call when its value is
//! known, every other part (an expression, a missing variable, a `%{ }` directive) unknown by name.

use crate::value::{Node, NodeKind, Text, TextPart};

/// `raw` with its `${...}` interpolations substituted from `vars` (the call's second argument) where
/// the interpolation is a plain variable name with a known scalar value; the rest literal.
pub(super) fn template_parts(raw: &str, vars: Option<&Node>) -> Text {
    // A directive (`%{ for }`, `%{ if }`) repeats or drops text: what it makes is not evaluated.
    if let Some(open) = find_unescaped(raw, "%{") {
        let end = raw[open..].find('}').map_or(raw.len(), |c| open + c + 1);
        return Text::unknown(format!(
            "the template directive `{}`",
            shorten(&raw[open..end])
        ));
    }
    let mut text = Text::default();
    let mut rest = raw;
    while let Some(open) = find_unescaped(rest, "${") {
        text.push(TextPart::Lit(unescape(&rest[..open])));
        match rest[open..].find('}') {
            Some(close) => {
                let inner = rest[open + 2..open + close].trim();
                text.append(substituted(inner, vars));
                rest = &rest[open + close + 1..];
            }
            None => {
                text.push(TextPart::Unknown("an unterminated interpolation".into()));
                rest = "";
            }
        }
    }
    text.push(TextPart::Lit(unescape(rest)));
    text
}

/// The value of `${inner}`: the template variable's value when it is a known scalar, else unknown
/// with the interpolation named.
fn substituted(inner: &str, vars: Option<&Node>) -> Text {
    let is_name = !inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let value = vars
        .filter(|_| is_name)
        .and_then(|v| v.get(inner))
        .map(|(_, v)| &v.kind);
    match value {
        Some(NodeKind::Str(t)) => t.clone(),
        Some(NodeKind::Number(n)) => Text::lit(n.clone()),
        Some(NodeKind::Bool(b)) => Text::lit(b.to_string()),
        Some(NodeKind::Unknown(reason)) => Text::unknown(format!("{inner} ({reason})")),
        _ if is_name && vars.is_some_and(|v| matches!(v.kind, NodeKind::Map(_))) => Text::unknown(
            format!("{inner} (not a known string among the template's variables)"),
        ),
        _ => Text::unknown(inner.to_string()),
    }
}

/// The first `pattern` (`${`, `%{`) not escaped by doubling its first character (`$${`, `%%{`).
fn find_unescaped(s: &str, pattern: &str) -> Option<usize> {
    let lead = pattern.as_bytes()[0];
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s[from..].find(pattern).map(|i| i + from) {
        if i > 0 && bytes[i - 1] == lead {
            from = i + pattern.len();
            continue;
        }
        return Some(i);
    }
    None
}

/// `$${` and `%%{` are the template's escapes for a literal `${` and `%{`.
fn unescape(s: &str) -> String {
    s.replace("$${", "${").replace("%%{", "%{")
}

fn shorten(s: &str) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > 40 {
        format!("{}…", flat.chars().take(40).collect::<String>())
    } else {
        flat
    }
}

/// Strings of a `templatefile()` JSON that interpolate its variables: substituted where the
/// variable is known, unknown where not.
pub(super) fn mark_template_strings(node: &mut Node, vars: &Node) {
    match &mut node.kind {
        NodeKind::Str(text) => {
            if let Some(raw) = text.as_literal()
                && (raw.contains("${") || raw.contains("%{"))
            {
                *text = template_parts(&raw, Some(vars));
            }
        }
        NodeKind::List(items) => items
            .iter_mut()
            .for_each(|n| mark_template_strings(n, vars)),
        NodeKind::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, n)| mark_template_strings(n, vars)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Key, Span};

    fn vars(pairs: &[(&str, &str)]) -> Node {
        let entries = pairs
            .iter()
            .map(|(k, v)| {
                (
                    Key {
                        name: k.to_string(),
                        span: Span::default(),
                    },
                    Node::str(v.to_string(), Span::default()),
                )
            })
            .collect();
        Node::new(NodeKind::Map(entries), Span::default())
    }

    #[test]
    fn known_variables_are_substituted() {
        let v = vars(&[("prefix", "app")]);
        let t = template_parts("arn:aws:iam::1:role/${prefix}/*", Some(&v));
        assert_eq!(t.as_literal().as_deref(), Some("arn:aws:iam::1:role/app/*"));
        let t = template_parts("role/${ other }*", Some(&v));
        assert_eq!(t.as_literal(), None);
        assert!(t.first_unknown().is_some_and(|u| u.starts_with("other")));
    }

    #[test]
    fn escapes_and_directives() {
        let t = template_parts("a$${b}", None);
        assert_eq!(t.as_literal().as_deref(), Some("a${b}"));
        let t = template_parts("%{ for r in roles }${r}%{ endfor }", None);
        assert_eq!(
            t.first_unknown(),
            Some("the template directive `%{ for r in roles }`")
        );
        let t = template_parts("100%%{x}", None);
        assert_eq!(t.as_literal().as_deref(), Some("100%{x}"));
    }
}
