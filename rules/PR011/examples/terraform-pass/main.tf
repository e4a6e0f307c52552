# A name prefix inside a role path: role/app/Dev* stays within the /app/ namespace, so it is
# path-scoped and not PR011.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::123456789012:role/app/Dev*"
    }]
  })
}
