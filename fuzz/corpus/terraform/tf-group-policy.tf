# An inline group policy (aws_iam_group_policy) is an identity policy: PassRole on "*" is PR010.
resource "aws_iam_group" "developers" {
  name = "developers"
}

resource "aws_iam_group_policy" "developers" {
  name  = "pass-roles"
  group = aws_iam_group.developers.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*"
    }]
  })
}
