# PassRole shares a statement with lambda:CreateFunction, so its Resource has to cover functions
# as well as roles. PR015 points at the Action element.
resource "aws_iam_policy" "deployer" {
  name = "deployer"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["lambda:CreateFunction", "iam:PassRole"]
      Resource = ["arn:aws:lambda:eu-west-1:123456789012:function:app-*", "arn:aws:iam::123456789012:role/app/*"]
    }]
  })
}
