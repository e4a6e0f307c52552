# NotResource in a Deny is the recommended guard rail ("never pass a role outside /app/"): Deny
# statements grant nothing, so not PR013. The Allow beside it is path-scoped.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/app/*"
      },
      {
        Effect      = "Deny"
        Action      = "iam:PassRole"
        NotResource = "arn:aws:iam::123456789012:role/app/*"
      },
    ]
  })
}
