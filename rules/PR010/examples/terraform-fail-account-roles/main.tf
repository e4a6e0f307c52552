# role/* is every role of the account, not a scope: PassRole on administrator roles too.
# PR010 points at the Resource value.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::123456789012:role/*"
    }]
  })
}
