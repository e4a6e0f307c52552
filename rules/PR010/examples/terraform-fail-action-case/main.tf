# Action names are case-insensitive: IAM:passrole is iam:PassRole, here on every resource.
# PR010 points at the Resource value.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "IAM:passrole"
      Resource = "*"
    }]
  })
}
