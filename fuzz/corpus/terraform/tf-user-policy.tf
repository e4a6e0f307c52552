# An inline user policy (aws_iam_user_policy) is an identity policy: PassRole on every role of the
# account is PR010.
resource "aws_iam_user" "deployer" {
  name = "deployer"
}

resource "aws_iam_user_policy" "deployer" {
  name = "deploy"
  user = aws_iam_user.deployer.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "arn:aws:iam::123456789012:role/*"
    }]
  })
}
