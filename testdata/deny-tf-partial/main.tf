# Denies that take away only part of a grant. What is left is what the finding is about.

# Left: every role whose name starts with "Dev" (a name prefix, not a path): PR011, not PR010.
resource "aws_iam_policy" "developers" {
  name = "developers"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "*"
      },
      {
        Effect      = "Deny"
        Action      = "iam:PassRole"
        NotResource = "arn:aws:iam::123456789012:role/Dev*"
      },
    ]
  })
}

# Left: every role but the admin ones, which is still every role of the account: PR010.
resource "aws_iam_policy" "platform" {
  name = "platform"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/*"
      },
      {
        Effect   = "Deny"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/admin/*"
      },
    ]
  })
}

# Left: the /app/ half of the grant; the /ops/ roles are denied. Nothing to report.
resource "aws_iam_policy" "app" {
  name = "app"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = ["arn:aws:iam::123456789012:role/app/*", "arn:aws:iam::123456789012:role/Ops*"]
      },
      {
        Effect   = "Deny"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/Ops*"
      },
    ]
  })
}
