# A managed policy with an unscoped PassRole grant, given to a role, a user and a group: the finding
# is on the grant, and names who gets it.

resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
  })
}

resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy_attachment" "ci" {
  role       = aws_iam_role.ci.name
  policy_arn = aws_iam_policy.deployer.arn
}

resource "aws_iam_policy_attachment" "humans" {
  name       = "deployer-humans"
  users      = ["alice"]
  groups     = [aws_iam_group.ops.name]
  policy_arn = aws_iam_policy.deployer.arn
}

resource "aws_iam_group" "ops" {
  name = "ops"
}

# An inline policy is held by its role.
resource "aws_iam_role_policy" "ci_inline" {
  role = aws_iam_role.ci.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:*", Resource = "arn:aws:iam::123456789012:role/*" }]
  })
}
