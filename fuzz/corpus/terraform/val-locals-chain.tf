# Locals that reference locals are evaluated; the finding points at the literal in the local.
locals {
  everything = "*"
  resources  = [local.everything]
}

resource "aws_iam_policy" "ci" {
  name = "ci"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = local.resources }]
  })
}
