//! `Fn::ForEach` of the `AWS::LanguageExtensions` transform, expanded before the template is read.
//!
//! ```yaml
//! Fn::ForEach::Workers:
//!   - Name                      # the identifier
//!   - [Report, Billing]         # the collection
//!   - ${Name}Role:              # OutputKey: Template, once per item
//!       Type: AWS::IAM::Role
//!       Properties: {RoleName: !Sub "${Name}-worker", …}
//! ```
//!
//! CloudFormation writes one copy of the template per item of the collection, the item put in for
//! `${Name}` and `&{Name}` (alphanumerics only) in keys and values, and for `Ref: Name`. Loops may nest,
//! and may sit in a resource's properties. The same is done here for `Resources` and `Outputs` when
//! the collection is known: a literal list, or a value the evaluator reads as one list (a `CommaDelimitedList` parameter
//! with a `Default`, `Fn::Split`, `Fn::FindInMap`).
//!
//! When the collection is not known, the template is copied once with the identifier as an unknown
//! value that says why: whatever depends on the item (a role's name or trust, a passed ARN, a granted
//! resource) becomes a PR005/PR016 note with that reason, and whatever does not is the same in every
//! copy and is checked as written. The copy keeps the keys as written (`${Name}Role`), so references
//! between resources of one loop still meet.
//!
//! Expansion is bounded (hostile templates): past [`MAX_EXPANDED_ENTRIES`] resources and outputs, or
//! [`MAX_EXPANDED_NODES`] copied nodes, a loop is not expanded and a limit error says so.

use super::eval::{Template, intrinsic, unknown};
use crate::source::{ErrorKind, InputError, SourceMap};
use crate::value::{Key, Node, NodeKind, Span, Text, TextPart};

/// Most resources and outputs that loops may write in one template.
pub const MAX_EXPANDED_ENTRIES: usize = 2_000;

/// Most nodes that loops may copy in one template.
pub const MAX_EXPANDED_NODES: usize = 200_000;

const PREFIX: &str = "Fn::ForEach::";

/// The sections whose entries may be loops.
const SECTIONS: &[&str] = &["Resources", "Outputs"];

/// The value an identifier takes in one copy.
enum Item {
    Known(String),
    /// The collection is not known: the reason, as an unknown value's description.
    Unknown(String),
}

struct Expander<'t, 'a> {
    template: &'t Template<'a>,
    entries: usize,
    nodes: usize,
    /// A bound was reached: no further loop is expanded (one error says so, not one per copy of an
    /// enclosing loop).
    exhausted: bool,
    errors: Vec<InputError>,
}

/// The template with every `Fn::ForEach` of its `Resources` and `Outputs` expanded (`None` when it has
/// none), and the errors of loops that are malformed or too large.
pub fn expand(sources: &SourceMap, root: &Node) -> (Option<Node>, Vec<InputError>) {
    let has_loop = SECTIONS
        .iter()
        .any(|s| root.get(s).is_some_and(|(_, n)| contains_loop(n)));
    if !has_loop {
        return (None, Vec::new());
    }
    // Collections are evaluated against the template as written (parameters and mappings).
    let template = super::template(sources, root);
    let mut x = Expander {
        template: &template,
        entries: 0,
        nodes: 0,
        exhausted: false,
        errors: Vec::new(),
    };
    let NodeKind::Map(top) = &root.kind else {
        return (None, Vec::new());
    };
    let mut out = Vec::with_capacity(top.len());
    for (key, value) in top {
        let value = match (&value.kind, SECTIONS.contains(&key.name.as_str())) {
            (NodeKind::Map(entries), true) => {
                Node::new(NodeKind::Map(x.section(entries)), value.span)
            }
            _ => value.clone(),
        };
        out.push((key.clone(), value));
    }
    let errors = std::mem::take(&mut x.errors);
    (Some(Node::new(NodeKind::Map(out), root.span)), errors)
}

impl Expander<'_, '_> {
    fn error(&mut self, span: Span, kind: ErrorKind, message: String) {
        let e = InputError::at(self.template.sources, span, kind, message);
        self.errors.push(e);
    }

    /// The entries of a mapping (a section, a resource's properties, a loop's template) with their
    /// loops expanded, at this level and below.
    fn section(&mut self, entries: &[(Key, Node)]) -> Vec<(Key, Node)> {
        let mut out = Vec::new();
        for (key, value) in entries {
            match key.name.strip_prefix(PREFIX) {
                Some(name) => self.expand_loop(name, key.span, value, &mut out),
                None => out.push((key.clone(), self.expand_within(value))),
            }
        }
        out
    }

    /// A value with the loops of every mapping inside it expanded (loops in resource properties).
    /// One pass over the value: the copy is made anyway, and checking each subtree for loops first
    /// would cost its depth times over.
    fn expand_within(&mut self, node: &Node) -> Node {
        let kind = match &node.kind {
            NodeKind::Map(entries) => NodeKind::Map(self.section(entries)),
            NodeKind::List(items) => {
                NodeKind::List(items.iter().map(|n| self.expand_within(n)).collect())
            }
            other => other.clone(),
        };
        Node::new(kind, node.span)
    }

    fn expand_loop(&mut self, name: &str, span: Span, value: &Node, out: &mut Vec<(Key, Node)>) {
        let parts = match &value.kind {
            NodeKind::List(items) => items.as_slice(),
            _ => &[],
        };
        let [identifier, collection, body] = parts else {
            return self.malformed(name, span);
        };
        let (Some(id), NodeKind::Map(body)) = (literal(identifier), &body.kind) else {
            return self.malformed(name, span);
        };
        if self.exhausted {
            return;
        }
        let items = self.items(name, &id, collection);
        // Checked before anything is copied: a loop too large is not expanded at all.
        let entries = items.len().saturating_mul(body.len());
        let nodes = items
            .len()
            .saturating_mul(body.iter().map(|(_, v)| count_nodes(v)).sum::<usize>());
        if self.entries.saturating_add(entries) > MAX_EXPANDED_ENTRIES
            || self.nodes.saturating_add(nodes) > MAX_EXPANDED_NODES
        {
            let message = format!(
                "Fn::ForEach::{name} would write more than {MAX_EXPANDED_ENTRIES} resources or \
                 outputs (or copy more than {MAX_EXPANDED_NODES} nodes) in this template; its \
                 resources, and those of the loops after it, are not scanned"
            );
            self.exhausted = true;
            return self.error(span, ErrorKind::Limit, message);
        }
        self.entries += entries;
        self.nodes += nodes;
        for item in &items {
            let copy: Vec<(Key, Node)> = body
                .iter()
                .map(|(k, v)| (substitute_key(k, &id, item), substitute(v, &id, item)))
                .collect();
            // Nested loops, now that this identifier has its value.
            out.extend(self.section(&copy));
        }
    }

    fn malformed(&mut self, name: &str, span: Span) {
        let message = format!(
            "Fn::ForEach::{name} must be [Identifier, Collection, {{OutputKey: Template}}]; \
             its resources are not scanned"
        );
        self.error(span, ErrorKind::Parse, message);
    }

    /// The items of a collection, or one unknown item saying why they are not known.
    fn items(&self, name: &str, id: &str, collection: &Node) -> Vec<Item> {
        let why = |reason: &str| {
            vec![Item::Unknown(format!(
                "{id}, an item of Fn::ForEach::{name}, whose collection is not known: {reason}"
            ))]
        };
        let values = self.template.eval(collection, 0);
        let [one] = values.as_slice() else {
            return why("it has several possible values");
        };
        match &one.kind {
            NodeKind::List(items) => {
                let known: Option<Vec<Item>> =
                    items.iter().map(|n| literal(n).map(Item::Known)).collect();
                known.unwrap_or_else(|| why("some of its items cannot be evaluated statically"))
            }
            NodeKind::Unknown(reason) => why(reason),
            _ => why("it is not a list"),
        }
    }
}

fn literal(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Str(t) => t.as_literal(),
        NodeKind::Number(n) => Some(n.clone()),
        NodeKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether a value holds an `Fn::ForEach::` key anywhere (the parser bounds the nesting).
fn contains_loop(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .any(|(k, v)| k.name.starts_with(PREFIX) || contains_loop(v)),
        NodeKind::List(items) => items.iter().any(contains_loop),
        _ => false,
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.kind {
        NodeKind::List(items) => items.iter().map(count_nodes).sum(),
        NodeKind::Map(entries) => entries.iter().map(|(_, v)| count_nodes(v)).sum(),
        _ => 0,
    }
}

/// `${Id}` → the item, `&{Id}` → the item's letters and digits; an unknown item leaves the key as
/// written.
fn substitute_key(key: &Key, id: &str, item: &Item) -> Key {
    let Item::Known(value) = item else {
        return key.clone();
    };
    let alphanumeric: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
    let name = key
        .name
        .replace(&format!("${{{id}}}"), value)
        .replace(&format!("&{{{id}}}"), &alphanumeric);
    Key {
        name,
        span: key.span,
    }
}

/// The template with the item put in: `Ref: Id` becomes the item, `Fn::Sub` gets the item as a
/// variable (so an unknown item is an unknown part of the string, not a lost string), and `${Id}` in a
/// `Ref` or `Fn::GetAtt` logical id is replaced when the item is known.
fn substitute(node: &Node, id: &str, item: &Item) -> Node {
    let span = node.span;
    if let Some((name, args)) = intrinsic(node) {
        match name {
            "Ref" if literal(args).as_deref() == Some(id) => {
                return match item {
                    Item::Known(v) => Node::str(v.clone(), span),
                    Item::Unknown(reason) => unknown(reason.clone(), span),
                };
            }
            // A known item is put into the template's text below, like any string.
            "Fn::Sub" if matches!(item, Item::Unknown(_)) => {
                return substitute_sub(node, args, id, item);
            }
            "Ref" | "Fn::GetAtt" => return substitute_logical_id(node, id, item),
            _ => {}
        }
    }
    let kind = match &node.kind {
        NodeKind::Str(text) => match text.as_literal() {
            Some(s) if mentions(&s, id) => NodeKind::Str(substitute_text(&s, id, item)),
            _ => node.kind.clone(),
        },
        NodeKind::List(items) => {
            NodeKind::List(items.iter().map(|n| substitute(n, id, item)).collect())
        }
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .iter()
                .map(|(k, v)| (substitute_key(k, id, item), substitute(v, id, item)))
                .collect(),
        ),
        other => other.clone(),
    };
    Node::new(kind, span)
}

/// A `Ref` or `Fn::GetAtt` naming a resource of the loop: `${Id}` in the logical id, written plainly
/// (`!GetAtt ${Id}Role.Arn`) or through `Fn::Sub` (`!GetAtt [!Sub "${Id}Role", Arn]`), is the item;
/// for an unknown item it stays as written, which is the key of the loop's one unknown copy.
fn substitute_logical_id(node: &Node, id: &str, item: &Item) -> Node {
    let (plain, alphanumeric) = (format!("${{{id}}}"), format!("&{{{id}}}"));
    let logical_id = |n: &Node| -> Node {
        let written = match intrinsic(n) {
            Some(("Fn::Sub", template)) => literal(template),
            _ => None,
        };
        let n = match written {
            Some(s) if s.contains(&plain) || s.contains(&alphanumeric) => Node::str(s, n.span),
            _ => n.clone(),
        };
        match item {
            Item::Known(v) => {
                let letters: String = v.chars().filter(char::is_ascii_alphanumeric).collect();
                replace_in_strings(&replace_in_strings(&n, &plain, v), &alphanumeric, &letters)
            }
            Item::Unknown(_) => n,
        }
    };
    let Some((name, args)) = intrinsic(node) else {
        return node.clone();
    };
    let args = match &args.kind {
        NodeKind::List(items) if !items.is_empty() => {
            let mut items = items.clone();
            items[0] = logical_id(&items[0]);
            Node::new(NodeKind::List(items), args.span)
        }
        _ => logical_id(args),
    };
    let key = match &node.kind {
        NodeKind::Map(entries) => entries.first().map(|(k, _)| k.clone()),
        _ => None,
    };
    let key = key.unwrap_or(Key {
        name: name.to_string(),
        span: node.span,
    });
    Node::new(NodeKind::Map(vec![(key, args)]), node.span)
}

fn mentions(s: &str, id: &str) -> bool {
    s.contains(&format!("${{{id}}}")) || s.contains(&format!("&{{{id}}}"))
}

/// A string with every `${Id}` (the item) and `&{Id}` (its letters and digits) put in: CloudFormation
/// replaces them in every value of the template, not only in `Fn::Sub`. An unknown item is an unknown
/// part of the string.
fn substitute_text(s: &str, id: &str, item: &Item) -> Text {
    let (plain, alphanumeric) = (format!("${{{id}}}"), format!("&{{{id}}}"));
    let mut out = Text::default();
    let mut rest = s;
    loop {
        let next = [(rest.find(&plain), false), (rest.find(&alphanumeric), true)]
            .into_iter()
            .filter_map(|(at, alnum)| at.map(|at| (at, alnum)))
            .min();
        let Some((at, alnum)) = next else {
            break;
        };
        out.push(TextPart::Lit(rest[..at].to_string()));
        out.push(match item {
            Item::Known(v) if alnum => {
                TextPart::Lit(v.chars().filter(char::is_ascii_alphanumeric).collect())
            }
            Item::Known(v) => TextPart::Lit(v.clone()),
            Item::Unknown(reason) => TextPart::Unknown(reason.clone()),
        });
        rest = &rest[at + plain.len()..];
    }
    out.push(TextPart::Lit(rest.to_string()));
    out
}

/// `Fn::Sub: "x${Id}"` → `Fn::Sub: ["x${Id}", {Id: item}]`; a variable map that already names `Id`
/// shadows the loop's identifier, as in CloudFormation.
fn substitute_sub(node: &Node, args: &Node, id: &str, item: &Item) -> Node {
    let span = args.span;
    let value = match item {
        Item::Known(v) => Node::str(v.clone(), span),
        Item::Unknown(reason) => unknown(reason.clone(), span),
    };
    let binding = (
        Key {
            name: id.to_string(),
            span,
        },
        value,
    );
    let (template, vars) = match &args.kind {
        NodeKind::List(items) if items.len() == 2 => (items[0].clone(), Some(&items[1])),
        _ => (args.clone(), None),
    };
    let vars = match vars {
        Some(v) if v.get(id).is_some() => return node.clone(),
        Some(v) => {
            let mut v = substitute(v, id, item);
            if let NodeKind::Map(entries) = &mut v.kind {
                entries.push(binding);
            }
            v
        }
        None => Node::new(NodeKind::Map(vec![binding]), span),
    };
    let args = Node::new(NodeKind::List(vec![template, vars]), span);
    let key = match &node.kind {
        NodeKind::Map(entries) => entries.first().map(|(k, _)| k.clone()),
        _ => None,
    };
    let key = key.unwrap_or(Key {
        name: "Fn::Sub".into(),
        span,
    });
    Node::new(NodeKind::Map(vec![(key, args)]), node.span)
}

/// Every literal string of a node with `from` replaced by `to`.
fn replace_in_strings(node: &Node, from: &str, to: &str) -> Node {
    let kind = match &node.kind {
        NodeKind::Str(t) => match t.as_literal() {
            Some(s) if s.contains(from) => NodeKind::Str(Text::lit(s.replace(from, to))),
            _ => node.kind.clone(),
        },
        NodeKind::List(items) => NodeKind::List(
            items
                .iter()
                .map(|n| replace_in_strings(n, from, to))
                .collect(),
        ),
        NodeKind::Map(entries) => NodeKind::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), replace_in_strings(v, from, to)))
                .collect(),
        ),
        other => other.clone(),
    };
    Node::new(kind, node.span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn expanded(yaml: &str) -> (Node, Vec<InputError>) {
        let mut sources = SourceMap::default();
        let file = sources.add(SourceFile::new("t.yaml".into(), yaml.to_string()));
        let root = crate::source::cloudformation::yaml::parse(yaml, file).expect("valid YAML");
        let (node, errors) = expand(&sources, &root);
        (node.expect("the template has loops"), errors)
    }

    fn keys(root: &Node, section: &str) -> Vec<String> {
        match root.get(section).map(|(_, n)| &n.kind) {
            Some(NodeKind::Map(entries)) => entries.iter().map(|(k, _)| k.name.clone()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn nested_loops_and_outputs_expand_with_both_identifiers() {
        let (root, errors) = expanded(
            "Resources:\n  Fn::ForEach::Envs:\n    - Env\n    - [dev, prod]\n    - Fn::ForEach::Apps:\n        - App\n        - [api, web-ui]\n        - ${Env}&{App}Role:\n            Type: AWS::IAM::Role\n            Properties: {RoleName: !Sub '${Env}-${App}'}\n\
             Outputs:\n  Fn::ForEach::Out:\n    - Env\n    - [dev]\n    - ${Env}Arn: {Value: !Ref Env}\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            keys(&root, "Resources"),
            ["devapiRole", "devwebuiRole", "prodapiRole", "prodwebuiRole"]
        );
        assert_eq!(keys(&root, "Outputs"), ["devArn"]);
        let value = root
            .get("Outputs")
            .and_then(|(_, o)| o.get("devArn"))
            .and_then(|(_, o)| o.get("Value"))
            .map(|(_, v)| v.kind.clone());
        assert_eq!(value, Some(NodeKind::Str(Text::lit("dev"))));
    }

    #[test]
    fn loops_in_properties_and_plain_strings_take_the_item() {
        let (root, errors) = expanded(
            "Resources:\n  Fn_:\n    Type: AWS::Lambda::Function\n    Properties:\n      Environment:\n        Variables:\n          Fn::ForEach::Vars:\n            - V\n            - [a-b, c]\n            - QUEUE_&{V}: '${V}-queue'\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        let vars = root
            .get("Resources")
            .and_then(|(_, r)| r.get("Fn_"))
            .and_then(|(_, r)| r.get("Properties"))
            .and_then(|(_, p)| p.get("Environment"))
            .and_then(|(_, e)| e.get("Variables"))
            .map(|(_, v)| v.to_json());
        assert_eq!(
            vars,
            Some(serde_json::json!({"QUEUE_ab": "a-b-queue", "QUEUE_c": "c-queue"}))
        );
    }

    #[test]
    fn an_unknown_item_is_an_unknown_part_of_each_string() {
        let item = Item::Unknown("why".into());
        let text = substitute_text("arn:aws:iam::1:role/${N}-&{N}", "N", &item);
        assert_eq!(text.as_literal(), None);
        assert_eq!(text.to_string(), "arn:aws:iam::1:role/${why}-${why}");
        let known = substitute_text("x${N}y", "N", &Item::Known("1".into()));
        assert_eq!(known.as_literal().as_deref(), Some("x1y"));
    }

    #[test]
    fn nested_loops_past_the_bound_give_one_error() {
        let items: Vec<String> = (0..60).map(|i| format!("i{i}")).collect();
        let list = items.join(", ");
        let yaml = format!(
            "Resources:\n  Fn::ForEach::A:\n    - X\n    - [{list}]\n    - Fn::ForEach::B:\n        - Y\n        - [{list}]\n        - R${{X}}${{Y}}:\n            Type: AWS::SQS::Queue\n"
        );
        let (root, errors) = expanded(&yaml);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(keys(&root, "Resources").len() <= MAX_EXPANDED_ENTRIES);
    }

    #[test]
    fn copied_nodes_are_bounded_as_well_as_entries() {
        // 1,000 copies of a 300-node template: under the entry bound, over the node bound.
        let items: Vec<String> = (0..1000).map(|i| format!("i{i}")).collect();
        let props: Vec<String> = (0..300).map(|i| format!("P{i}: x")).collect();
        let yaml = format!(
            "Resources:\n  Fn::ForEach::Big:\n    - N\n    - [{}]\n    - R${{N}}:\n        Type: AWS::SQS::Queue\n        Properties: {{{}}}\n",
            items.join(", "),
            props.join(", ")
        );
        let (root, errors) = expanded(&yaml);
        assert!(keys(&root, "Resources").is_empty());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].kind, ErrorKind::Limit);
    }
}
