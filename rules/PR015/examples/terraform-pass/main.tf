# The same permissions as a deployer that puts PassRole beside lambda:CreateFunction, but with
# PassRole alone in its own statement: not PR015, although the policy grants other actions.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"]
        Resource = "arn:aws:lambda:eu-west-1:123456789012:function:app-*"
      },
      {
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = "arn:aws:iam::123456789012:role/app/*"
      },
    ]
  })
}
