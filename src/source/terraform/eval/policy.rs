//! Policy documents in Terraform: heredocs, JSON strings (with spans through their escapes), `file()`,
//! `jsonencode`, and `data "aws_iam_policy_document"` with its statements, source/override documents
//! and `dynamic` blocks.

use super::*;

impl<'a> Tree<'a> {
    /// Evaluates an expression that holds a policy document (`assume_role_policy`, `policy`).
    /// Heredocs, JSON strings and `file()` are parsed with spans pointing into the file that writes
    /// the JSON.
    pub fn policy(&self, ctx: Ctx, expr: &Expression) -> Node {
        let mut node = self.policy_at(ctx, expr, 0, true);
        // `concat(local.s, local.s)` repeated: the same statements many times grant nothing more,
        // and every copy would be checked again downstream.
        if let NodeKind::Map(entries) = &mut node.kind {
            for (k, v) in entries.iter_mut() {
                if let (true, NodeKind::List(items)) = (k.name == "Statement", &mut v.kind) {
                    *items = distinct(std::mem::take(items));
                }
            }
        }
        node
    }

    /// The policy a reference (`shown`, as `local.p`) stands for, read once per instance.
    pub(super) fn policy_target(
        &self,
        target: Target<'a>,
        span: Span,
        depth: usize,
        shown: &str,
    ) -> Node {
        match target {
            Target::Expr(ctx, e) => self.memoized(
                Memo::Policy,
                ctx.inst,
                address(e),
                depth,
                span,
                &|| shown.to_string(),
                || self.policy_at(ctx, e, depth + 1, false),
            ),
            Target::Node(n) => self.string_node_policy(self.copied(n, span), false),
            Target::Missing(reason) => unknown(reason, span),
        }
    }

    /// `report`: whether a malformed policy here is an input error (the policy is written here) or
    /// only unknown (it reached here through a reference).
    pub(super) fn policy_at(
        &self,
        ctx: Ctx,
        expr: &Expression,
        depth: usize,
        report: bool,
    ) -> Node {
        let span = self.span(ctx.file, expr.span());
        if depth > MAX_DEPTH {
            return self.too_deep(span);
        }
        let Some(_nested) = self.nest() else {
            return self.too_deep(span);
        };
        if !self.spend(1, span) {
            return unknown(BUDGET_REASON, span);
        }
        match expr {
            Expression::HeredocTemplate(h) => self.heredoc_policy(ctx, &h.template, span),
            Expression::String(s) => self.quoted_policy(s.value(), span, report),
            Expression::Parenthesis(p) => self.policy_at(ctx, p.inner(), depth + 1, report),
            Expression::StringTemplate(t) => {
                // `"${data.aws_iam_policy_document.x.json}"`: the policy is the interpolated value.
                let mut elements = t.iter();
                match (elements.next(), elements.next()) {
                    (Some(Element::Interpolation(i)), None) => {
                        self.policy_at(ctx, &i.expr, depth + 1, report)
                    }
                    _ => self.string_node_policy(self.eval_at(ctx, expr, depth + 1), report),
                }
            }
            Expression::Traversal(t) => self.policy_traversal(ctx, expr, t, depth, span),
            // Both branches are possible policies: check the statements of both.
            Expression::Conditional(c) => {
                let mut statements = Vec::new();
                for branch in [&c.true_expr, &c.false_expr] {
                    collect_statements(
                        self.policy_at(ctx, branch, depth + 1, false),
                        &mut statements,
                    );
                }
                // `c ? local.p : local.p` is one policy: forty such levels must not make 2^40
                // statements.
                statement_document(distinct(statements), span)
            }
            Expression::FuncCall(call)
                if call.name.namespace.is_empty()
                    && matches!(call.name.name.as_str(), "file" | "templatefile") =>
            {
                match self.function_file(ctx, call.args.iter().next()) {
                    Some(id) if call.name.name.as_str() == "templatefile" => {
                        let vars = match call.args.iter().nth(1) {
                            Some(e) => self.eval_at(ctx, e, depth + 1),
                            None => Node::new(NodeKind::Null, span),
                        };
                        self.file_policy(id, Some(&vars), span)
                    }
                    Some(id) => self.file_policy(id, None, span),
                    None => unknown(
                        format!(
                            "the file read by {}() is not found",
                            call.name.name.as_str()
                        ),
                        span,
                    ),
                }
            }
            // `join("", data.aws_iam_policy_document.x[*].json)`: the optional document idiom.
            Expression::FuncCall(call) if self.is_joined_documents(call) => {
                self.joined_documents(ctx, call, depth, span)
            }
            _ => self.string_node_policy(self.eval_at(ctx, expr, depth + 1), report),
        }
    }

    /// The policy a traversal names: what a reference stands for (each element written in a list
    /// indexed per instance), else its evaluated value.
    fn policy_traversal(
        &self,
        ctx: Ctx,
        expr: &Expression,
        t: &hcl_edit::expr::Traversal,
        depth: usize,
        span: Span,
    ) -> Node {
        let path = traversal_path(t);
        let parts: Vec<&str> = path.iter().map(String::as_str).collect();
        let Some(target) = self.reference(ctx.inst, &parts) else {
            return self.string_node_policy(self.eval_at(ctx, expr, depth + 1), false);
        };
        // Operators past the reference itself (`var.policies[count.index]`).
        let named = if parts[0] == "module" { 2 } else { 1 };
        let extra = &t.operators[named.min(t.operators.len())..];
        let shown = parts[..(named + 1).min(parts.len())].join(".");
        match (extra, &target) {
            ([], _) => self.policy_target(target, span, depth, &shown),
            // An index that differs per instance selects each element in turn: every
            // element written in the list or map is a possible policy.
            ([op], Target::Expr(c, list))
                if matches!(op.value(), TraversalOperator::Index(i)
                    if !matches!(i, Expression::String(_) | Expression::Number(_))) =>
            {
                let items: Vec<&Expression> = match list {
                    Expression::Array(a) => a.iter().collect(),
                    Expression::Object(o) => o.iter().map(|(_, v)| v.expr()).collect(),
                    _ => {
                        return self.string_node_policy(self.eval_at(ctx, expr, depth + 1), false);
                    }
                };
                let mut statements = Vec::new();
                for item in items {
                    collect_statements(self.policy_at(*c, item, depth + 1, false), &mut statements);
                }
                statement_document(distinct(statements), span)
            }
            _ => self.string_node_policy(self.eval_at(ctx, expr, depth + 1), false),
        }
    }

    /// A policy kept in a JSON file next to the module: spans point into that file.
    /// `template` holds the variables of a `templatefile()` call.
    pub(super) fn file_policy(&self, id: FileId, template: Option<&Node>, use_span: Span) -> Node {
        let Some(source) = self.sources.get(id) else {
            return unknown("the policy file could not be read", use_span);
        };
        match json::parse(&source.text, id, 0) {
            Ok(mut node) => {
                if let Some(vars) = template {
                    super::template::mark_template_strings(&mut node, vars);
                }
                self.paid(node)
            }
            Err(_)
                if template.is_some()
                    && (source.text.contains("${") || source.text.contains("%{")) =>
            {
                unknown(
                    "the policy template builds JSON with interpolation or directives outside strings",
                    use_span,
                )
            }
            Err(e) => {
                let at = Span::new(id, e.offset, e.offset + 1);
                self.error(at, format!("the policy file is not valid JSON: {e}"));
                unknown("the policy file is not valid JSON", use_span)
            }
        }
    }

    /// A policy given as an evaluated value: objects are the policy; known strings are JSON.
    pub(super) fn string_node_policy(&self, node: Node, report: bool) -> Node {
        match &node.kind {
            NodeKind::Str(text) => match text.as_literal() {
                Some(s) => self.string_policy(&s, node.span, report),
                None => node,
            },
            // Not a policy and not written as one here (`default = null`, `[]`): unknown.
            NodeKind::Map(_) | NodeKind::Unknown(_) => node,
            _ if !report => unknown("the value is not a policy document", node.span),
            _ => node,
        }
    }

    /// A policy written as a quoted HCL string (`"{\"Statement\": ...}"`): the JSON is parsed from the
    /// decoded value, and each element's span is mapped back through the escapes to the source.
    pub(super) fn quoted_policy(&self, value: &str, span: Span, report: bool) -> Node {
        let raw = self.sources.snippet(span);
        let Some(offsets) = decoded_offsets(raw, value) else {
            return self.string_policy(value, span, report);
        };
        match json::parse(value, span.file, 0) {
            Ok(mut node) => {
                let at = |o: u32| span.start + offsets.get(o as usize).copied().unwrap_or(0);
                remap_spans(&mut node, &at);
                self.paid(node)
            }
            Err(_) => self.string_policy(value, span, report),
        }
    }

    /// A policy string whose source position is not known (it came through a value): every element
    /// points at the whole string.
    pub(super) fn string_policy(&self, s: &str, span: Span, report: bool) -> Node {
        match json::parse(s, span.file, 0) {
            Ok(mut node) => {
                node.set_spans(span);
                self.paid(node)
            }
            // A value that reaches a policy through a variable or output (`default = ""`) is not a
            // policy written here: it is unknown, not an input error.
            Err(_) if !report => unknown("the value is not a JSON policy document", span),
            Err(e) => {
                self.error(span, format!("the policy string is not valid JSON: {e}"));
                unknown("the policy is not valid JSON", span)
            }
        }
    }

    /// A heredoc policy: JSON parsed straight from the source bytes, so every element keeps its exact
    /// span, with `<<-` indentation in place (JSON ignores it).
    pub(super) fn heredoc_policy(&self, ctx: Ctx, template: &Template, span: Span) -> Node {
        let ranges: Vec<_> = template.iter().filter_map(element_span).collect();
        let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
            self.error(span, "the policy heredoc is empty".into());
            return unknown("the policy heredoc is empty", span);
        };
        let (start, end) = (first.start, last.end);
        let Some(raw) = self
            .sources
            .get(ctx.file)
            .and_then(|f| f.text.get(start..end))
        else {
            return unknown("the heredoc could not be located in its file", span);
        };
        let has_template = template.iter().any(|e| !matches!(e, Element::Literal(_)));
        match json::parse(raw, ctx.file, start) {
            Ok(mut node) => {
                if has_template {
                    self.interpolate_strings(ctx, &mut node);
                }
                self.paid(node)
            }
            Err(_) if has_template => unknown(
                "the policy heredoc builds JSON with template interpolation outside strings",
                span,
            ),
            Err(e) => {
                let at = Span::new(ctx.file, e.offset, e.offset + 1);
                self.error(at, format!("the policy heredoc is not valid JSON: {e}"));
                unknown("the policy heredoc is not valid JSON", span)
            }
        }
    }

    /// Strings of a heredoc's JSON that contain `${...}`: evaluate them as templates.
    pub(super) fn interpolate_strings(&self, ctx: Ctx, node: &mut Node) {
        match &mut node.kind {
            NodeKind::Str(text) => {
                let Some(raw) = text.as_literal() else { return };
                if !raw.contains("${") && !raw.contains("%{") {
                    return;
                }
                *text = match hcl_edit::parser::parse_template(&raw) {
                    Ok(t) => self.template_text(ctx, t.iter(), 1),
                    Err(_) => Text::unknown("a template that cannot be parsed"),
                };
            }
            NodeKind::List(items) => items
                .iter_mut()
                .for_each(|n| self.interpolate_strings(ctx, n)),
            NodeKind::Map(entries) => entries
                .iter_mut()
                .for_each(|(_, n)| self.interpolate_strings(ctx, n)),
            _ => {}
        }
    }

    /// `data "aws_iam_policy_document"` as the JSON document it produces, each element spanned at the
    /// HCL attribute that writes it. `source_policy_documents` statements come first; statements of
    /// `override_policy_documents` are checked too (an override replaces statements with the same
    /// `sid`, which only changes which of them apply, not that each is a possible grant).
    pub(super) fn policy_document_block(
        &self,
        inst: usize,
        doc: Located<'a, Block>,
        depth: usize,
    ) -> Node {
        let ctx = Ctx {
            inst,
            file: doc.file,
        };
        let body = &doc.item.body;
        let span = self.span(doc.file, doc.item.span());
        let mut statements = Vec::new();
        for attr in [
            "source_policy_documents",
            "source_json",
            "override_policy_documents",
            "override_json",
        ] {
            let Some(a) = body.get_attribute(attr) else {
                continue;
            };
            // A list of documents: literal items keep their own spans; a list from a variable is
            // evaluated and each of its documents read.
            let items: Vec<Node> = match &a.value {
                Expression::Array(items) => items
                    .iter()
                    .map(|e| self.policy_at(ctx, e, depth + 1, true))
                    .collect(),
                e => match self.eval_at(ctx, e, depth + 1).kind {
                    NodeKind::List(items) => items
                        .into_iter()
                        .map(|n| self.string_node_policy(n, false))
                        .collect(),
                    NodeKind::Null => Vec::new(),
                    other => vec![self.string_node_policy(Node::new(other, span), false)],
                },
            };
            for item in items {
                if !matches!(item.kind, NodeKind::Null) {
                    collect_statements(item, &mut statements);
                }
            }
        }
        for block in body.blocks() {
            match block.ident.as_str() {
                "statement" => statements.push(self.statement_block(ctx, block)),
                "dynamic"
                    if block
                        .labels
                        .first()
                        .is_some_and(|l| l.as_str() == "statement") =>
                {
                    self.dynamic_statements(ctx, block, &mut statements)
                }
                _ => {}
            }
        }
        statement_document(statements, span)
    }

    /// Expands `dynamic "statement"`: one statement per `for_each` element, its `content` evaluated
    /// with the iterator bound, so that values written in the `for_each` collection (a variable's
    /// default, a local) are checked where they are written. A collection that cannot be known
    /// statically gives one unknown statement: a coverage gap, never a guess.
    pub(super) fn dynamic_statements(&self, ctx: Ctx, block: &Block, out: &mut Vec<Node>) {
        let span = self.span(ctx.file, block.span());
        let Some(content) = block.body.blocks().find(|b| b.ident.as_str() == "content") else {
            out.push(unknown("a dynamic statement block without content", span));
            return;
        };
        let iterator = iterator_name(block);
        match self.dynamic_elements(ctx, block) {
            Ok(elements) => {
                for (key, value) in elements {
                    let statement = self
                        .with_binding(&iterator, key, value, || self.statement_block(ctx, content));
                    out.push(statement);
                }
            }
            Err(reason) => {
                // Whether the statement exists is unknown. When its content shows that it can
                // neither grant PassRole nor trust anyone (`actions = ["ssm:GetParameters"]`), it
                // does not matter; otherwise it is a coverage gap.
                let (key, value) = (unknown(&reason, span), unknown(&reason, span));
                let statement =
                    self.with_binding(&iterator, key, value, || self.statement_block(ctx, content));
                if !irrelevant_statement(&statement) {
                    out.push(unknown(reason, span));
                }
            }
        }
    }

    /// Calls `each` for every instance of the nested block `name` of `body`: the blocks written,
    /// and the `content` of each `dynamic "name"` block once per element of its `for_each`, with the
    /// iterator bound. Returns why (and where) a `dynamic` block could not be expanded.
    pub(super) fn nested_blocks<'b>(
        &self,
        ctx: Ctx,
        body: &'b hcl_edit::structure::Body,
        name: &str,
        each: &mut dyn FnMut(&'b Block),
    ) -> Option<(String, Span)> {
        let mut gap = None;
        for b in body.blocks() {
            if b.ident.as_str() == name {
                each(b);
                continue;
            }
            if b.ident.as_str() != "dynamic" || b.labels.first().map(|l| l.as_str()) != Some(name) {
                continue;
            }
            let span = self.span(ctx.file, b.span());
            let Some(content) = b.body.blocks().find(|c| c.ident.as_str() == "content") else {
                continue;
            };
            let iterator = iterator_name(b);
            match self.dynamic_elements(ctx, b) {
                Ok(elements) => {
                    for (key, value) in elements {
                        self.with_binding(&iterator, key, value, || each(content));
                    }
                }
                Err(reason) => {
                    gap.get_or_insert((reason, span));
                }
            }
        }
        gap
    }

    pub(super) fn statement_block(&self, ctx: Ctx, block: &Block) -> Node {
        let file = ctx.file;
        let span = self.span(file, block.span());
        let mut entries = Vec::new();
        let mut has_effect = false;
        for attr in block.body.attributes() {
            let key = match attr.key.as_str() {
                "sid" => "Sid",
                "effect" => {
                    has_effect = true;
                    "Effect"
                }
                "actions" => "Action",
                "not_actions" => "NotAction",
                "resources" => "Resource",
                "not_resources" => "NotResource",
                _ => continue,
            };
            let mut value = flatten_alternatives(self.eval(ctx, &attr.value));
            // A `null` element (`[var.role_arn]` with the variable unset, in the branch of a
            // conditional that is not taken) names nothing.
            if let NodeKind::List(items) = &mut value.kind {
                items.retain(|i| !matches!(i.kind, NodeKind::Null));
            }
            // `null` leaves the argument unset (`not_actions = try(statement.value.x, null)`).
            if matches!(value.kind, NodeKind::Null) {
                if key == "Effect" {
                    has_effect = false;
                }
                continue;
            }
            entries.push((
                Key {
                    name: key.into(),
                    span: self.span(file, attr.key.span()),
                },
                value,
            ));
        }
        if !has_effect {
            // The provider's default effect.
            entries.push((
                Key {
                    name: "Effect".into(),
                    span,
                },
                Node::str("Allow", self.span(file, block.ident.span())),
            ));
        }
        for (hcl, json) in [
            ("principals", "Principal"),
            ("not_principals", "NotPrincipal"),
        ] {
            let mut principals: Vec<(Key, Node)> = Vec::new();
            let mut key_span = None;
            let unknown_blocks = self.nested_blocks(ctx, &block.body, hcl, &mut |p| {
                key_span.get_or_insert(self.span(file, p.ident.span()));
                let ty = p
                    .body
                    .get_attribute("type")
                    .map(|a| self.eval(ctx, &a.value));
                let ids = p
                    .body
                    .get_attribute("identifiers")
                    .map(|a| flatten_alternatives(self.eval(ctx, &a.value)));
                let pspan = self.span(file, p.span());
                let ty_name = ty
                    .as_ref()
                    .and_then(|t| t.as_text().and_then(Text::as_literal))
                    .unwrap_or_else(|| "AWS".into());
                principals.push((
                    Key {
                        name: ty_name,
                        span: ty.map(|t| t.span).unwrap_or(pspan),
                    },
                    ids.unwrap_or_else(|| unknown("principals without identifiers", pspan)),
                ));
            });
            // Principals from a `dynamic` block that cannot be expanded: which principals the
            // statement names is unknown, never guessed to be none.
            if let Some((reason, at)) = unknown_blocks {
                entries.push((
                    Key {
                        name: json.into(),
                        span: at,
                    },
                    unknown(reason, at),
                ));
                continue;
            }
            if let Some(key_span) = key_span {
                entries.push((
                    Key {
                        name: json.into(),
                        span: key_span,
                    },
                    Node::new(NodeKind::Map(principals), span),
                ));
            }
        }
        let mut operators: Vec<(Key, Node)> = Vec::new();
        // Conditions of a `dynamic "condition"` that cannot be expanded are left out: they only
        // narrow a grant, and only PR014 reads them.
        self.nested_blocks(ctx, &block.body, "condition", &mut |c| {
            let get = |k: &str| c.body.get_attribute(k).map(|a| self.eval(ctx, &a.value));
            let (test, variable, values) = (get("test"), get("variable"), get("values"));
            let cspan = self.span(file, c.span());
            let lit = |n: &Option<Node>| {
                n.as_ref()
                    .and_then(|n| n.as_text().and_then(Text::as_literal))
                    .unwrap_or_default()
            };
            let var_span = variable.as_ref().map(|n| n.span).unwrap_or(cspan);
            operators.push((
                Key {
                    name: lit(&test),
                    span: test.as_ref().map(|n| n.span).unwrap_or(cspan),
                },
                Node::new(
                    NodeKind::Map(vec![(
                        Key {
                            name: lit(&variable),
                            span: var_span,
                        },
                        values.unwrap_or_else(|| Node::new(NodeKind::List(vec![]), cspan)),
                    )]),
                    cspan,
                ),
            ));
        });
        if !operators.is_empty() {
            entries.push((
                Key {
                    name: "Condition".into(),
                    span,
                },
                Node::new(NodeKind::Map(operators), span),
            ));
        }
        Node::new(NodeKind::Map(entries), span)
    }
}

/// The statements without exact repeats (same content, same spans), in order.
pub(super) fn distinct(statements: Vec<Node>) -> Vec<Node> {
    let mut seen = std::collections::HashSet::new();
    statements
        .into_iter()
        .filter(|s| seen.insert(format!("{s:?}")))
        .collect()
}

/// Appends the statements of an evaluated policy document node to `out`.
pub(super) fn collect_statements(node: Node, out: &mut Vec<Node>) {
    match node.kind {
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                if k.name == "Statement" {
                    match v.kind {
                        NodeKind::List(items) => out.extend(items),
                        _ => out.push(v),
                    }
                }
            }
        }
        _ => out.push(node),
    }
}

/// A statement whose actions are all known and include neither `iam:PassRole` (by any pattern) nor
/// an `sts:` action (a trust statement): it cannot matter to any check.
pub(super) fn irrelevant_statement(statement: &Node) -> bool {
    let (actions, negated) = match (statement.get("Action"), statement.get("NotAction")) {
        (Some((_, a)), None) => (a, false),
        (None, Some((_, a))) => (a, true),
        _ => return false,
    };
    let items: Vec<&Node> = match &actions.kind {
        NodeKind::List(items) => items.iter().collect(),
        _ => vec![actions],
    };
    let mut texts = Vec::new();
    for item in items {
        match item.as_text().and_then(Text::as_literal) {
            Some(t) => texts.push(t),
            None => return false,
        }
    }
    let trust_actions = [
        "sts:AssumeRole",
        "sts:AssumeRoleWithWebIdentity",
        "sts:AssumeRoleWithSAML",
        "sts:TagSession",
    ];
    let may_trust = texts.iter().any(|t| {
        trust_actions
            .iter()
            .any(|a| crate::iam::action::wildcard_match(t, a))
    });
    if negated || may_trust {
        return false;
    }
    let texts: Vec<Text> = texts.into_iter().map(Text::lit).collect();
    let analysis = crate::iam::action::analyze_actions(&texts, false);
    analysis.matched.is_none() && !analysis.unknown
}

/// For a quoted HCL string `raw` (quotes included) whose decoded value is `value`: the offset in `raw`
/// of each byte of `value` (and one past the end). None when the escapes are not understood; the
/// caller then points at the whole string.
pub(super) fn decoded_offsets(raw: &str, value: &str) -> Option<Vec<u32>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let mut offsets = Vec::with_capacity(value.len() + 1);
    let mut decoded = String::with_capacity(value.len());
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i as u32 + 1; // after the opening quote
        let (text, used): (String, usize) = match bytes[i] {
            b'\\' => {
                let esc = *bytes.get(i + 1)?;
                match esc {
                    b'n' => ("\n".into(), 2),
                    b'r' => ("\r".into(), 2),
                    b't' => ("\t".into(), 2),
                    b'"' => ("\"".into(), 2),
                    b'\\' => ("\\".into(), 2),
                    b'u' => {
                        let hex = inner.get(i + 2..i + 6)?;
                        let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                        (c.to_string(), 6)
                    }
                    _ => return None,
                }
            }
            b'$' | b'%'
                if inner
                    .get(i..i + 3)
                    .is_some_and(|s| s == "$${" || s == "%%{") =>
            {
                (inner.get(i + 1..i + 3)?.to_string(), 3)
            }
            _ => {
                let c = inner.get(i..)?.chars().next()?;
                (c.to_string(), c.len_utf8())
            }
        };
        for _ in 0..text.len() {
            offsets.push(start);
        }
        decoded.push_str(&text);
        i += used;
    }
    offsets.push(raw.len() as u32 - 1);
    (decoded == value).then_some(offsets)
}

/// Moves every span of `node` (offsets into a decoded string, in `span.start`) through `at`.
pub(super) fn remap_spans(node: &mut Node, at: &dyn Fn(u32) -> u32) {
    node.span.end = at(node.span.end);
    node.span.start = at(node.span.start);
    match &mut node.kind {
        NodeKind::List(items) => items.iter_mut().for_each(|n| remap_spans(n, at)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            k.span.end = at(k.span.end);
            k.span.start = at(k.span.start);
            remap_spans(v, at)
        }),
        _ => {}
    }
}
