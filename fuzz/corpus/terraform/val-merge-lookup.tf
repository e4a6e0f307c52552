# merge() and lookup() over locals are evaluated.
locals {
  defaults  = { ci = "arn:aws:iam::123456789012:role/ci/*" }
  overrides = { ci = "arn:aws:iam::123456789012:role/Ci*" }
  resources = merge(local.defaults, local.overrides)
}

resource "aws_iam_policy" "ci" {
  name = "ci"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = lookup(local.resources, "ci") }]
  })
}
