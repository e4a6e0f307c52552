# A splat of a counted role in a grant names exact roles: no finding.
resource "aws_iam_role" "fn" {
  count              = 2
  name               = "fn-${count.index}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.fn[*].arn }]
  })
}
