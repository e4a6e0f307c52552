# The deployers' policy: a name-prefix grant that also carries another action (PR011 and PR015, in
# this second file), and a grant on every role that the team accepted (PR010, suppressed inline).
resource "aws_iam_policy" "deployers" {
  name = "deployers"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "PassDevRoles"
        Effect   = "Allow"
        Action   = ["iam:PassRole", "lambda:UpdateFunctionCode"]
        Resource = "arn:aws:iam::123456789012:role/Dev*"
      },
      {
        Sid    = "BreakGlass"
        Effect = "Allow"
        Action = "iam:PassRole"
        # passrole:ignore PR010 break-glass account, reviewed by security in SEC-42
        Resource = "*"
      },
    ]
  })
}
